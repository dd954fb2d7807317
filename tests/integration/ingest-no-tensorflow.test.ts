/**
 * The ingest function never loads TensorFlow: in a fresh process, the functions' module graph is
 * imported and one ticker is ingested through onIngest, while a resolve hook records every module
 * loaded. The control: the model half, imported the same way, does load @tensorflow.
 */
import { execFile } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../support/paths.js';

const child = (body: string) => `
import { registerHooks } from 'node:module';
const seen = [];
registerHooks({ resolve(spec, ctx, next) { const r = next(spec, ctx); seen.push(r.url); return r; } });
${body}
const tf = seen.filter((u) => u.includes('@tensorflow'));
console.log(JSON.stringify({ modules: seen.length, tensorflow: tf.slice(0, 5), tensorflowCount: tf.length }));
`;

async function run(
  body: string,
): Promise<{ modules: number; tensorflowCount: number; tensorflow: string[] }> {
  const dir = await mkdtemp(join(tmpdir(), 'stockops-notf-'));
  const { stdout } = await promisify(execFile)(
    join(repoRoot, 'node_modules', '.bin', 'tsx'),
    ['--input-type=module', '-e', child(body)],
    {
      cwd: repoRoot,
      env: { ...process.env, STOCKOPS_DATA_DIR: dir, STOCKOPS_TICKERS: 'SP500' },
      timeout: 120_000,
    },
  );
  return JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as never;
}

describe('the ingest path loads no TensorFlow', () => {
  it('importing the functions and ingesting a ticker through onIngest loads no @tensorflow module', async () => {
    const r = await run(`
      await import('./functions/index.ts');
      const { onIngest } = await import('./functions/handlers.ts');
      const { openCatalog } = await import('./pipelines/catalog.ts');
      const { loadConfig } = await import('./pipelines/config.ts');
      const { nullLogger } = await import('./pipelines/log.ts');
      const cat = await openCatalog(loadConfig({ env: process.env, overrides: { source: { startDate: '2019-01-01' } } }), { log: nullLogger });
      const res = await onIngest({ runId: 'notf', date: '2020-04-17', ticker: 'SP500' }, cat);
      if (res.status !== 'ok') throw new Error(JSON.stringify(res));
      await cat.close();
    `);
    expect(r.modules).toBeGreaterThan(50);
    expect(r.tensorflow).toEqual([]);
  });

  it('the control: importing the model half does load @tensorflow', async () => {
    const r = await run(`await import('./pipelines/daily/model-half.ts');`);
    expect(r.tensorflowCount).toBeGreaterThan(0);
  });
});
