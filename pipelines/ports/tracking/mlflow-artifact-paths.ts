/** Artifact paths and URIs as the tracking server's artifact proxy (`--serve-artifacts`) expects them. */

/** `a/b c.json` → `a/b%20c.json`; refuses paths that could climb out of the run's artifact root. */
export function encodeArtifactPath(path: string): string {
  const parts = path.split('/');
  if (!path || path.startsWith('/') || path.includes('\\')) {
    throw new Error(`artifact path "${path}" must be a relative path with forward slashes`);
  }
  for (const p of parts) {
    if (p === '' || p === '.' || p === '..') {
      throw new Error(`artifact path "${path}" has an empty, "." or ".." segment`);
    }
  }
  return parts.map(encodeURIComponent).join('/');
}

/**
 * `mlflow-artifacts:/1/<run>/artifacts` (or `mlflow-artifacts://host:port/1/...`) → `1/<run>/artifacts`,
 * the path under the proxy's `/api/2.0/mlflow-artifacts/artifacts/` where that run's files live.
 */
export function proxiedArtifactRoot(artifactUri: string): string {
  const m = /^mlflow-artifacts:(?:\/\/[^/]*)?\/(.+?)\/?$/.exec(artifactUri);
  if (!m?.[1]) {
    throw new Error(
      `run artifact URI "${artifactUri}" is not served by the tracking server's artifact proxy; ` +
        'start the server with --serve-artifacts (and no --default-artifact-root outside it)',
    );
  }
  return m[1];
}
