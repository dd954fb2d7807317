/** STOCKOPS_MLFLOW_AUTH: the MLflow server behind Cloud Run's IAM check (infra/modules/mlflow). */
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../pipelines/config.js';

const SERVER = { MLFLOW_TRACKING_URI: 'https://stockops-mlflow-abc123-ue.a.run.app' };

describe('tracking.auth', () => {
  it('is google-id-token with STOCKOPS_MLFLOW_AUTH=google-id-token, unset otherwise', () => {
    const on = loadConfig({ env: { ...SERVER, STOCKOPS_MLFLOW_AUTH: 'google-id-token' } });
    expect(on.tracking).toMatchObject({ kind: 'mlflow', auth: 'google-id-token' });
    const off = loadConfig({ env: SERVER });
    expect(off.tracking.kind === 'mlflow' && off.tracking.auth).toBeUndefined();
  });

  it('refuses any other value, naming the key', () => {
    expect(() => loadConfig({ env: { ...SERVER, STOCKOPS_MLFLOW_AUTH: 'iap' } })).toThrow(
      /tracking\.auth: expected "google-id-token"/,
    );
  });

  it('refuses a second credential beside the ID token, which would replace it', () => {
    for (const extra of [
      { MLFLOW_TRACKING_TOKEN: 't0ken-value' },
      { MLFLOW_TRACKING_USERNAME: 'ana', MLFLOW_TRACKING_PASSWORD: 'a-long-password' },
    ]) {
      const env = { ...SERVER, ...extra, STOCKOPS_MLFLOW_AUTH: 'google-id-token' };
      expect(() => loadConfig({ env })).toThrow(ConfigError);
      expect(() => loadConfig({ env })).toThrow(/unset the MLflow token, username and password/);
    }
  });
});
