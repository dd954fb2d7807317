import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
/** Trimmed real Yahoo-format series, one CSV per ticker (origin and licence: tests/fixtures/README.md). */
export const fixtureOhlc = join(repoRoot, 'tests', 'fixtures', 'ohlc');
/** GE's 1967–1969 sessions, which hold the NYSE's 1968 paperwork-crisis closures. */
export const fixtureCalendar = join(repoRoot, 'tests', 'fixtures', 'calendar');
/** Recorded Yahoo chart API responses. */
export const yahooFixtures = join(repoRoot, 'tests', 'fixtures', 'yahoo');
