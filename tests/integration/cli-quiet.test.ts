/**
 * A normal `stockops backfill` / `run` carries no library noise (TensorFlow's C++ start-up lines,
 * tfjs' Orthogonal notice, listener-leak warnings), off a terminal every stderr line is a JSON log
 * line, STOCKOPS_DEBUG=1 brings the notice back as a debug line, and on a terminal (a pseudo-TTY
 * from `script`) a progress line is drawn instead. The LSTM has 24 units: 24 × 96 recurrent weights
 * are over tfjs' 2000-element threshold, so the Orthogonal initializer does warn in these runs.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { cli } from '../support/cli.js';
import { repoRoot } from '../support/paths.js';

const SMALL = { source: { startDate: '2018-06-01' }, model: { units: 24, trainDays: 200 } };
const NOISE = [
  /absl::InitializeLog/,
  /oneDNN custom operations/,
  /cpu_feature_guard|This TensorFlow binary is optimized/,
  /Orthogonal initializer/,
  /MaxListenersExceededWarning/,
  /^[IWE]\d{4} /m,
];
const ORTHOGONAL =
  /Orthogonal initializer is being called on a matrix with more than 2000 \(2304\) elements/;

describe('a quiet terminal', () => {
  let dir: string;
  let config: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'stockops-quiet-'));
    config = join(dir, 'config.json');
    await writeFile(config, JSON.stringify(SMALL));
  });

  it('a backfill off a terminal: no library noise, JSON log lines only, one per day done', async () => {
    const args = ['backfill', '--from', '2020-04-16', '--to', '2020-04-17', '--tickers', 'SP500'];
    const out = await cli([...args, '--epochs', '1', '--config', config], dir);
    expect(out.code, out.stderr).toBe(0);
    for (const n of NOISE) {
      expect(out.stderr, String(n)).not.toMatch(n);
      expect(out.stdout, String(n)).not.toMatch(n);
    }
    const lines = out.stderr.split('\n').filter(Boolean);
    const logs = lines.map((l) => JSON.parse(l) as { severity: string; message: string });
    expect(logs.filter((l) => l.message === 'day done')).toHaveLength(2);
    expect(logs.some((l) => l.severity === 'DEBUG')).toBe(false);
    expect(out.stdout).toContain('2 trading days replayed');
  });

  it('STOCKOPS_DEBUG=1 shows the Orthogonal notice, as a debug log line', async () => {
    const args = ['run', '--date', '2020-04-17', '--tickers', 'SP500', '--epochs', '1'];
    const out = await cli([...args, '--config', config], await mkdtemp(join(dir, 'debug-')), {
      STOCKOPS_DEBUG: '1',
    });
    expect(out.code, out.stderr).toBe(0);
    const notices = out.stderr
      .split('\n')
      .filter((l) => ORTHOGONAL.test(l))
      .map((l) => JSON.parse(l) as { severity: string });
    // One per ensemble member trained (serving.ensembleSize, 5 by default).
    expect(notices.length).toBeGreaterThan(0);
    expect(notices.every((n) => n.severity === 'DEBUG')).toBe(true);
  });

  it('on a terminal: a progress line (days, tickers, elapsed, ETA), no per-ticker lines or JSON', async () => {
    const data = await mkdtemp(join(dir, 'tty-'));
    const tsx = join(repoRoot, 'node_modules', '.bin', 'tsx');
    const command = [
      tsx,
      'pipelines/cli.ts',
      'backfill',
      '--from',
      '2020-04-16',
      '--to',
      '2020-04-17',
    ]
      .concat(['--tickers', 'SP500', '--epochs', '1', '--config', config])
      .join(' ');
    const env: NodeJS.ProcessEnv = {};
    for (const [k, v] of Object.entries(process.env))
      if (!/^(STOCKOPS_|MLFLOW_)/.test(k)) env[k] = v;
    env.STOCKOPS_DATA_DIR = data;
    // `script` runs the command on a pseudo-terminal and copies what it writes to our stdout.
    const out = await new Promise<{ code: number | null; text: string }>((resolve, reject) => {
      const p = spawn('script', ['-qec', command, '/dev/null'], { cwd: repoRoot, env });
      let text = '';
      p.stdout.on('data', (d: Buffer) => (text += d.toString()));
      p.stderr.on('data', (d: Buffer) => (text += d.toString()));
      p.on('error', reject);
      p.on('close', (code) => resolve({ code, text }));
    });
    expect(out.code, out.text).toBe(0);
    // Each redraw starts by clearing the line: split there to read the lines drawn.
    const CLEAR = '\r\u001b[2K';
    const draws = out.text.split(CLEAR).map((d) => d.split('\n')[0] ?? '');
    expect(out.text).toContain(CLEAR);
    expect(draws).toContainEqual(
      expect.stringMatching(
        /^\[[#.]{20}\] +\d+% backfill {2}day 1\/2 {2}2020-04-16 {2}tickers 0\/\? {2}elapsed \d+s {2}ETA …$/,
      ),
    );
    expect(draws).toContainEqual(
      expect.stringMatching(
        /^\[#{20}\] 100% backfill {2}day 2\/2 {2}2020-04-17 {2}tickers 1\/1 {2}elapsed \d+s {2}ETA ~0s$/,
      ),
    );
    expect(out.text).not.toMatch(/\[1\/1\] SP500 ok/);
    expect(out.text).not.toMatch(/^\{"severity"/m);
    // Per-ticker INFO lines are what the progress line replaces; the run's own INFO stays.
    expect(out.text).not.toContain('model stage done');
    expect(out.text).toContain('TensorFlow.js backend selected');
    for (const n of NOISE) expect(out.text, String(n)).not.toMatch(n);
  });
});
