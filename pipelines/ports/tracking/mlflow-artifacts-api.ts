/** Run artifacts through the tracking server's artifact proxy (`mlflow server --serve-artifacts`). */
import { BAD_RESPONSE } from './mlflow-error.js';
import { encodeArtifactPath, proxiedArtifactRoot } from './mlflow-artifact-paths.js';
import { ARTIFACTS_API } from './mlflow-http.js';
import { MlflowRunsApi } from './mlflow-runs-api.js';

export class MlflowArtifactsApi extends MlflowRunsApi {
  /** Uploads one file under the run's artifact root through the server's artifact proxy. */
  async uploadArtifact(artifactUri: string, path: string, data: Uint8Array): Promise<void> {
    const url = `${ARTIFACTS_API}/${proxiedArtifactRoot(artifactUri)}/${encodeArtifactPath(path)}`;
    await this.call('PUT', url, {
      data: Buffer.from(data.buffer, data.byteOffset, data.byteLength),
      headers: { 'Content-Type': 'application/octet-stream' },
    });
  }

  async downloadArtifact(artifactUri: string, path: string): Promise<Uint8Array> {
    const url = `${ARTIFACTS_API}/${proxiedArtifactRoot(artifactUri)}/${encodeArtifactPath(path)}`;
    const body = await this.call('GET', url, { binary: true });
    if (!(body instanceof ArrayBuffer) && !Buffer.isBuffer(body)) {
      this.fail(
        `GET ${ARTIFACTS_API}/...`,
        'artifact download did not return bytes',
        undefined,
        BAD_RESPONSE,
      );
    }
    return new Uint8Array(body);
  }
}
