/**
 * A disk that fills during a run, made real and portable with `ulimit -f` (no root, no mount): the
 * warehouse file cannot grow past the limit, so DuckDB's writes fail with the OS's error. The run must
 * say so with the cause and never report success.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli } from '../support/cli.js';

const SMALL = {
  source: { startDate: '2018-06-01' },
  model: { units: 16, trainDays: 200, epochs: 2 },
};

describe('a full disk', () => {
  it('fails the run with the cause and the file named, never "ok" and exit 0', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'stockops-full-'));
    const config = join(dir, 'config.json');
    await writeFile(config, JSON.stringify(SMALL));
    const out = await cli(['run', '--date', '2020-04-17', '--config', config], dir, {}, 1500);
    expect(out.code, out.stdout).not.toBe(0);
    const all = out.stdout + out.stderr;
    expect(all).toMatch(/File too large|No space left|EFBIG|ENOSPC/);
    expect(all).toContain(join(dir, 'warehouse.duckdb'));
    expect(all).not.toMatch(/no transaction is active/);
    // No summary row claims the ticker went through.
    expect(out.stdout).not.toMatch(/^SP500 .*\bok\s*$/m);
    expect(out.stderr).not.toMatch(/\n\s+at /);
  });
});
