/**
 * A run killed mid-way (kill -9 of the real CLI process, while the model trains) leaves its
 * ticker `started` in pipeline_runs; the next run marks it `interrupted`, says so in its summary
 * and log, and finishes the day normally (issue 14, item 7).
 */
import { spawn } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createDuckDbWarehouse } from '../../pipelines/ports/warehouse/duckdb.js';
import { repoRoot } from '../support/paths.js';

const DATE = '2020-04-17';

function cli(args: string[], dataDir: string, killWhen?: RegExp) {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!/^(STOCKOPS_|MLFLOW_)/.test(k)) env[k] = v;
  env.STOCKOPS_DATA_DIR = dataDir;
  // node itself (not the tsx wrapper, which would outlive the kill) runs the CLI.
  const node = join(repoRoot, 'node_modules', '.bin', 'node');
  const child = spawn(node, ['--import', 'tsx', 'pipelines/cli.ts', ...args], {
    cwd: repoRoot,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => {
    stderr += d.toString();
    if (killWhen?.test(stderr) && child.exitCode === null) child.kill('SIGKILL');
  });
  return new Promise<{
    code: number | null;
    signal: string | null;
    stdout: string;
    stderr: string;
  }>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

describe('a killed run is reported as interrupted by the next one', () => {
  it('kill -9 during the model stage, then run again', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'stockops-kill-'));
    const config = join(dir, 'config.json');
    await writeFile(
      config,
      JSON.stringify({
        source: { startDate: '2018-06-01' },
        model: { units: 16, epochs: 2, trainDays: 200 },
      }),
    );
    const args = ['run', '--date', DATE, '--config', config];
    // The model stage has started (its mark is written) once the backend is being chosen.
    const killed = await cli(args, dir, /TensorFlow\.js backend selected/);
    expect(killed.signal).toBe('SIGKILL');

    const again = await cli(args, dir);
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(
      new RegExp(
        `SP500: earlier run ${DATE}-[0-9a-f]{8} \\(run date ${DATE}\\) was interrupted in stage model`,
      ),
    );
    expect(again.stderr).toMatch(/an earlier run never finished: marked interrupted/);

    const w = await createDuckDbWarehouse({ path: join(dir, 'warehouse.duckdb') });
    try {
      const runs = await w.select('pipeline_runs', {});
      const ids = [...new Set(runs.map((r) => r.run_id))];
      expect(ids).toHaveLength(2);
      const first = runs.filter((r) => r.run_id !== runs.find((x) => x.stage === 'record')?.run_id);
      expect(first.map((r) => `${r.stage}:${r.status}`).sort()).toEqual([
        'features:ok',
        'ingest:ok',
        'model:interrupted',
      ]);
      expect(first.find((r) => r.status === 'interrupted')?.message).toMatch(/never finished/);
      expect(runs.filter((r) => r.status === 'started')).toEqual([]);
      // The second run finished the day: one decision, its predictions.
      expect(await w.select('model_decisions', {})).toHaveLength(1);
    } finally {
      await w.close();
    }
  }, 600_000);
});
