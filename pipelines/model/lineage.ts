/**
 * A version's lineage: the sha256 of the bars it was trained on. When the stored bars of that window
 * change (a corrected file, a revised adjustment), the version no longer describes the data: it is
 * not served, and the ticker retrains.
 */
import { createHash } from 'node:crypto';
import type { Bar } from '../types.js';

export interface Lineage {
  /** First and last bar date of the window hashed. */
  from: string;
  to: string;
  rows: number;
  sha256: string;
}

/** Bars before the first feature row that still shape it (the longest indicator warm-up, with margin). */
const WARMUP_BARS = 100;

export function hashBars(bars: readonly Bar[], from: string, to: string): Lineage {
  const h = createHash('sha256');
  let rows = 0;
  for (const b of bars) {
    if (b.date < from || b.date > to) continue;
    h.update(JSON.stringify([b.date, b.open, b.high, b.low, b.close, b.volume]));
    rows += 1;
  }
  return { from, to, rows, sha256: h.digest('hex') };
}

/** The lineage of a fit whose feature rows span [firstFeature, lastFeature]. */
export function lineageOf(
  bars: readonly Bar[],
  firstFeature: string,
  lastFeature: string,
): Lineage {
  const i = bars.findIndex((b) => b.date >= firstFeature);
  const from = bars[Math.max(0, i - WARMUP_BARS)]?.date ?? firstFeature;
  return hashBars(bars, from, lastFeature);
}

/**
 * A version's label: its last as-of date and a hash of the config and the bars it was trained on,
 * so a retrain on corrected bars never reuses the stale version's files.
 */
export function versionLabel(
  asOf: string,
  configHash: string,
  lineage: Lineage | undefined,
): string {
  const h = createHash('sha256')
    .update(`${configHash}|${lineage?.sha256 ?? ''}`)
    .digest('hex')
    .slice(0, 8);
  return `${asOf}-${h}`;
}

/** Why a version may not serve these bars, or undefined when its training window is unchanged. */
export function lineageMismatch(
  label: string,
  lineage: Lineage | undefined,
  bars: readonly Bar[],
): string | undefined {
  // Saved before lineage was kept: nothing to compare, so it serves as it did.
  if (!lineage) return undefined;
  const now = hashBars(bars, lineage.from, lineage.to);
  if (now.sha256 === lineage.sha256) return undefined;
  return `the stored bars of version ${label}'s training window ${lineage.from}…${lineage.to} changed since it was trained (${lineage.rows} → ${now.rows} rows, hash ${lineage.sha256.slice(0, 8)} → ${now.sha256.slice(0, 8)})`;
}
