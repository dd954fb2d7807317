/**
 * A Google-signed ID token for an MLflow server behind Cloud Run's IAM check (infra/modules/mlflow):
 * Cloud Run lets a request through only with `Authorization: Bearer <ID token>` whose audience is
 * the service's URL, minted for an identity holding run.invoker. google-auth-library finds the
 * identity the usual way (Application Default Credentials): on Cloud Run and Cloud Functions the
 * metadata server of the instance's service account, elsewhere a service-account key file or
 * impersonation. It caches the token and renews it shortly before it expires (tokens last an hour).
 * Loaded lazily: only a tracker configured for it pulls the library in.
 */

/** The Authorization header value for the next request. */
export type AuthHeader = () => Promise<string>;

/** What this file needs of google-auth-library's GoogleAuth (its seam for tests). */
export interface IdTokenSource {
  getIdTokenClient(audience: string): Promise<{ getRequestHeaders(): Promise<Headers> }>;
}

/** The audience Cloud Run checks: the service URL's origin (`https://name-hash.region.run.app`). */
export function audienceOf(uri: string): string {
  return new URL(uri).origin;
}

export function googleIdTokenHeader(audience: string, source?: IdTokenSource): AuthHeader {
  let client: ReturnType<IdTokenSource['getIdTokenClient']> | undefined;
  return async () => {
    if (!client) {
      const auth = source ?? new (await import('google-auth-library')).GoogleAuth();
      client = auth.getIdTokenClient(audience);
      // A failed lookup (no credentials yet, metadata server slow) is retried on the next call.
      client.catch(() => (client = undefined));
    }
    const value = (await (await client).getRequestHeaders()).get('authorization');
    if (!value?.startsWith('Bearer ')) {
      throw new Error(`no Google ID token for ${audience}: the credentials gave no bearer token`);
    }
    return value;
  };
}
