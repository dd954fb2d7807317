/** The ingest node: what to fetch, and what of the fetched bars may be stored. Pure: the runner does the IO. */
import { addDays } from '../calendar/dates.js';
import type { Config } from '../config.js';
import type { RawBar } from '../types.js';
import { adjustmentRevised } from './adjust.js';
import { checkContract, type ContractOptions, type ContractResult } from './contract.js';

/** Incremental fetch: only the days after the last stored bar, plus an overlap to catch revisions. */
export function planFetch(
  lastStored: string | undefined,
  asOf: string,
  source: Config['source'],
): { from: string; to: string; full: boolean } {
  if (!lastStored) return { from: source.startDate, to: asOf, full: true };
  return { from: addDays(lastStored, -source.overlapDays), to: asOf, full: false };
}

export interface IngestResult extends ContractResult {
  /** The overlap showed a new split or dividend: the whole history must be fetched again. */
  revised: boolean;
}

/**
 * Checks fetched bars against the contract. `storedOverlap` are the stored bars in the fetched range,
 * compared with what the source now says to detect revised adjustments.
 */
export function ingestBars(
  ticker: string,
  fetched: RawBar[],
  storedOverlap: RawBar[],
  contract: ContractOptions,
): IngestResult {
  const revised = adjustmentRevised(storedOverlap, fetched);
  return { ...checkContract(ticker, fetched, contract), revised };
}
