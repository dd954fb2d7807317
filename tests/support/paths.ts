import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
/** Small fixtures kept in the repo (origin and licence in tests/fixtures/README.md). */
export const repoFixtures = join(repoRoot, 'tests', 'fixtures');
/** Real data shared beside the checkout (never copied into the repo). */
export const sharedOhlc = join(repoRoot, '..', 'shared', 'data', 'ohlc');
export const yahooFixtures = join(sharedOhlc, 'yahoo-chart-responses');

/** The shared data must be there: a missing folder is a broken set-up, never a silent skip. */
export function requireShared(): string {
  if (!existsSync(sharedOhlc)) throw new Error(`real data folder ${sharedOhlc} is missing`);
  return sharedOhlc;
}
