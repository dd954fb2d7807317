/**
 * The raw market-data archive: what the source answered for a ticker on a run day, kept in the
 * object store at `raw/<ticker>/<date>.json` before any check, so a quarantined or rejected bar can
 * be traced to the bytes it came from. Written create-only: a re-run of the day (which fetches a
 * different, overlapping range) leaves the first archive as it was.
 */
import type { FetchRange, RawResponse } from '../ports/market-data/port.js';
import type { ObjectStore } from '../ports/object-store/port.js';

export interface ArchivedFetch {
  range: FetchRange;
  raw: RawResponse;
}

export const rawArchiveKey = (ticker: string, date: string): string => `raw/${ticker}/${date}.json`;

function bodyOf(raw: RawResponse): unknown {
  if (raw.mediaType !== 'application/json') return raw.body;
  try {
    return JSON.parse(raw.body) as unknown;
  } catch {
    // Kept as text: a body that is not JSON is exactly what the archive is for.
    return raw.body;
  }
}

/** Archives the day's responses; true when this call wrote the archive, false when it existed. */
export function archiveRaw(
  store: ObjectStore,
  source: string,
  ticker: string,
  date: string,
  fetches: ArchivedFetch[],
): Promise<boolean> {
  const doc = {
    formatVersion: 1,
    ticker,
    date,
    source,
    responses: fetches.map((f) => ({
      range: { from: f.range.from ?? null, to: f.range.to ?? null },
      mediaType: f.raw.mediaType,
      body: bodyOf(f.raw),
    })),
  };
  return store.putIfAbsent(rawArchiveKey(ticker, date), JSON.stringify(doc));
}
