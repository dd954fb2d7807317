/** Quarantine rows of a re-read range are replaced, so a corrected source leaves none behind for bars now valid. */
import type { Warehouse } from '../ports/warehouse/port.js';
import type { RowOf } from '../ports/warehouse/schema.js';
import type { QuarantineEntry } from './contract.js';

const DATED = /^\d{4}-\d{2}-\d{2}$/;

/**
 * Deletes the ticker's quarantine rows that this read covered (dates in the fetched range, and
 * undated rows, which every read of a file re-reports) and that the read no longer quarantines.
 * Returns the rows kept, so the caller can keep each one's first run and time.
 */
export async function replaceQuarantine(
  warehouse: Warehouse,
  ticker: string,
  range: { from: string; to: string },
  now: QuarantineEntry[],
): Promise<RowOf<'quarantine'>[]> {
  const still = new Set(now.map((q) => `${q.date}|${q.rule}`));
  const rows = await warehouse.select('quarantine', { where: { ticker } });
  const kept: RowOf<'quarantine'>[] = [];
  for (const q of rows) {
    const covered = !DATED.test(q.date) || (q.date >= range.from && q.date <= range.to);
    if (covered && !still.has(`${q.date}|${q.rule}`)) {
      await warehouse.delete('quarantine', { ticker, date: q.date, rule: q.rule });
    } else {
      kept.push(q);
    }
  }
  return kept;
}
