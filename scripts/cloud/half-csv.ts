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
