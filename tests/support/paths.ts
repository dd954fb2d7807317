import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
/** Small fixtures kept in the repo (origin and licence in tests/fixtures/README.md). */
export const repoFixtures = join(repoRoot, 'tests', 'fixtures');
/** Trimmed real Yahoo-format series, one CSV per ticker (origin and licence: tests/fixtures/README.md). */
export const fixtureOhlc = join(repoFixtures, 'ohlc');
/** GE's 1967–1969 sessions, which hold the NYSE's 1968 paperwork-crisis closures. */
export const fixtureCalendar = join(repoFixtures, 'calendar');
/** Recorded Yahoo chart API responses. */
export const yahooFixtures = join(repoFixtures, 'yahoo');
