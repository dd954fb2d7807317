/**
 * The environment variables outside the config keys (set-up scripts, the CLI, TensorFlow, Cloud Run
 * jobs) and who reads each: the second table of docs/configuration.md. Pure data.
 */
/** Variables that set no single key, and where they are read. */
export interface OtherVariable {
  name: string;
  readBy: string;
  meaning: string;
}

export const OTHER_VARIABLES: readonly OtherVariable[] = [
  {
    name: 'STOCKOPS_CONFIG',
    readBy: '`pipelines/config.ts`',
    meaning: 'The JSON config file when `--config` is not given.',
  },
  {
    name: 'STOCKOPS_DATA_DIR',
    readBy: '`pipelines/config.ts`',
    meaning:
      'Where the embedded adapters write (default `.data`; `stockops demo` uses `.data/demo`).',
  },
  {
    name: 'STOCKOPS_DEBUG',
    readBy: '`pipelines/config.ts` (`runtimeFrom`) and `pipelines/cli.ts` (error stacks)',
    meaning:
      "`1` shows debug lines (TensorFlow's C++ start-up lines, library notices, per-ticker lines under the progress display) and adds the stack trace to an error the CLI prints.",
  },
  {
    name: 'TF_CPP_MIN_LOG_LEVEL, TF_ENABLE_ONEDNN_OPTS',
    readBy: '`pipelines/config.ts` (`runtimeFrom`)',
    meaning:
      "TensorFlow's own settings, applied before the library loads: the project sets `2` and `0` (quiet, oneDNN off) unless you set them; `STOCKOPS_DEBUG=1` sets the log level to `0`.",
  },
  {
    name: 'CLOUD_RUN_TASK_INDEX, CLOUD_RUN_TASK_COUNT, CLOUD_RUN_EXECUTION',
    readBy: '`pipelines/config.ts` (`loadTaskPlacement`)',
    meaning:
      'Set by Cloud Run jobs: the shard of the watchlist a `backfill` or `evaluate` task takes, and the execution its run ids come from (`--task-index`, `--task-count`, `--run-key` win); see docs/backfills.md.',
  },
  {
    name: 'STOCKOPS_NATIVE_TF',
    readBy: '`scripts/native-tf/install.sh`',
    meaning: '`0` skips building the native TensorFlow backend (the pipeline then uses wasm).',
  },
  {
    name: 'MLFLOW_PORT, MLFLOW_AUTH_ADMIN_PASSWORD',
    readBy: '`scripts/mlflow/serve.sh` (`make mlflow`)',
    meaning: "The local MLflow server's port (default 5000); the basic-auth app's admin password.",
  },
  {
    name: 'STOCKOPS_PROJECT, STOCKOPS_STATE_BUCKET, STOCKOPS_TFVARS',
    readBy: '`scripts/infra/deploy.sh` (`make plan`, `deploy`, `destroy`)',
    meaning: 'The Google Cloud project, the Terraform state bucket, an optional `.tfvars` file.',
  },
];
