/**
 * A second, CSV-sourced ticker for the cloud runs without ../shared: HALF, the bundled SP500 series
 * with every price halved, written as a Yahoo-style CSV. Its forecast must land in HALF's price range.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createBundledSource } from '../../pipelines/ports/market-data/bundled.js';

export async function writeHalfCsv(csvDir: string, from: string, to: string): Promise<string> {
  const bars = await createBundledSource().fetch('SP500', { from, to });
  const half = (v: number) => Number((v / 2).toFixed(4));
  await mkdir(csvDir, { recursive: true });
  const path = join(csvDir, 'HALF.csv');
  const lines = bars.map((b) =>
    [
      b.date,
      half(b.open),
      half(b.high),
      half(b.low),
      half(b.close),
      half(b.adjClose ?? b.close),
      b.volume,
    ].join(','),
  );
  await writeFile(path, ['Date,Open,High,Low,Close,Adj Close,Volume', ...lines].join('\n'));
  return path;
}

/**
 * The chain tests' config in `dir`: SP500 (bundled), HALF (this CSV) and NOPE (unknown: it fails
 * at ingest), on a small model. Returns the config file's path.
 */
export async function writeChainTestConfig(dir: string, date: string): Promise<string> {
  const csvDir = join(dir, 'csv');
  await writeHalfCsv(csvDir, '2018-06-01', date);
  const config = join(dir, 'config.json');
  await writeFile(
    config,
    JSON.stringify({
      watchlist: ['SP500', 'HALF', 'NOPE'],
      source: { kind: 'csv', csvDir, startDate: '2018-06-01' },
      model: { units: 16, epochs: 2, trainDays: 200 },
    }),
  );
  return config;
}
