/** Runs the `stockops` command line as a real process, with only the given StockOps settings in its env. */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { repoRoot } from './paths.js';

export interface Exit {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** `tsx pipelines/cli.ts <args>` with STOCKOPS_DATA_DIR = dataDir; STOCKOPS_* / MLFLOW_* only from `extraEnv`. */
export function cli(
  args: string[],
  dataDir: string,
  extraEnv: Record<string, string> = {},
  /** Runs under `ulimit -f` (KiB): every file write past it fails with EFBIG, a disk that is full. */
  maxFileKb?: number,
): Promise<Exit> {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (!/^(STOCKOPS_|MLFLOW_)/.test(k)) env[k] = v;
  }
  env.STOCKOPS_DATA_DIR = dataDir;
  env.PATH = `${join(repoRoot, 'node_modules', '.bin')}:${env.PATH ?? ''}`;
  Object.assign(env, extraEnv);
  return new Promise((resolve, reject) => {
    const tsx = join(repoRoot, 'node_modules', '.bin', 'tsx');
    // SIGXFSZ ignored (inherited through exec), so writes past the limit return EFBIG instead of killing.
    const [cmd, argv] =
      maxFileKb === undefined
        ? [tsx, ['pipelines/cli.ts', ...args]]
        : [
            'bash',
            [
              '-c',
              `trap '' XFSZ; ulimit -f ${maxFileKb}; exec "$0" "$@"`,
              tsx,
              'pipelines/cli.ts',
              ...args,
            ],
          ];
    const child = spawn(cmd, argv, { cwd: repoRoot, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}
