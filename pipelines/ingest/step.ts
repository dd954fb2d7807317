/** Ingest step: the IO around the ingest node (warehouse reads, the market-data fetch, writes). */
import type { Catalog } from '../catalog.js';
import type { TickerContext } from '../context.js';
import type { Config } from '../config.js';
import { exchangeFor, isTradingDay, tradingDaysBetween } from '../calendar/exchange.js';
import { latestOnOrBefore } from '../ports/warehouse/port.js';
import type { RowOf } from '../ports/warehouse/schema.js';
import { PipelineError, type Bar, type RawBar } from '../types.js';
import { adjustBars } from './adjust.js';
import { archiveRaw, type ArchivedFetch } from './archive.js';
import type { ContractOptions } from './contract.js';
import { ingestBars, planFetch } from './ingest.js';
import { replaceQuarantine } from './quarantine.js';

export interface IngestStepResult {
  /** Adjusted bars up to and including the run date: everything later stages may see. */
  bars: Bar[];
  written: number;
  quarantined: number;
  missingSessions: string[];
  revised: boolean;
}

function toRaw(r: RowOf<'daily_bars'>): RawBar {
  return {
    date: r.date,
    open: r.open,
    high: r.high,
    low: r.low,
    close: r.close,
    ...(r.adj_close === null ? {} : { adjClose: r.adj_close }),
    volume: r.volume,
  };
}

export function contractOptionsFor(
  ticker: string,
  asOf: string,
  plausibility?: Config['contract'],
): ContractOptions {
  const ex = exchangeFor(ticker);
  return {
    plausibility,
    asOf,
    calendar: {
      // Sessions strictly between two dates.
      sessionsBetween: (from, to) =>
        tradingDaysBetween(from, to, ex).filter((d) => d !== from && d !== to),
      isSession: (d) => isTradingDay(d, ex),
    },
    maxStaleSessions: 3,
    maxBadShare: 0.05,
  };
}

export async function readBars(cat: Catalog, ticker: string, asOf: string): Promise<Bar[]> {
  const rows = await cat.warehouse.select('daily_bars', {
    where: { ticker },
    between: { column: 'date', to: asOf },
    orderBy: 'date',
  });
  return adjustBars(rows.map(toRaw));
}

/** Ingest has no data inputs: it fetches the ticker's bars up to the run date. */
export async function ingestStep(ctx: TickerContext): Promise<IngestStepResult> {
  const { cat, ticker, runDate: asOf, runId } = ctx;
  const { warehouse, market, config } = cat;
  // The last bar on or before D: a backfill of earlier days after later ones fetches from there,
  // not from the latest stored bar (which would plan an empty range after D).
  const last = await latestOnOrBefore(warehouse, 'daily_bars', {
    where: { ticker },
    column: 'date',
    date: asOf,
  });
  let plan = planFetch(last?.date, asOf, config.source);
  const responses: ArchivedFetch[] = [];
  const fetchBars = async (range: { from: string; to: string }) => {
    const { bars, raw } = await market.fetchResponse(ticker, range);
    responses.push({ range: { from: range.from, to: range.to }, raw });
    return bars;
  };
  let fetched = await fetchBars(plan);
  const overlap = await warehouse.select('daily_bars', {
    where: { ticker },
    between: { column: 'date', from: plan.from, to: plan.to },
  });
  const contract = contractOptionsFor(ticker, asOf, config.contract);
  let result = ingestBars(ticker, fetched, overlap.map(toRaw), contract);
  if (result.revised && !plan.full) {
    plan = planFetch(undefined, asOf, config.source);
    fetched = await fetchBars(plan);
    result = { ...ingestBars(ticker, fetched, [], contract), revised: true };
  }
  // Before anything is judged: the archive is where a quarantined bar's source bytes are found.
  await archiveRaw(cat.store, market.kind, ticker, asOf, responses);

  const now = new Date().toISOString();
  // A row quarantined before keeps the run and time that first caught it: re-runs change nothing.
  const known = new Map(
    (await replaceQuarantine(warehouse, ticker, plan, result.quarantined)).map((q) => [
      `${q.date}|${q.rule}`,
      q,
    ]),
  );
  const quarantine = result.quarantined.map((q) => {
    const first = known.get(`${q.date}|${q.rule}`);
    return {
      ticker,
      ...q,
      run_id: first?.run_id ?? runId,
      quarantined_at: first?.quarantined_at ?? now,
    };
  });
  if (result.failure) {
    // The rows that failed the ticker are its failure record; no bar is stored.
    await warehouse.upsert('quarantine', quarantine);
    throw new PipelineError(
      result.failure.message.replace(`${ticker}: `, ''),
      ticker,
      result.failure.rule,
    );
  }
  // Bars and quarantine in one write (one statement per table in BigQuery, one transaction in DuckDB).
  const daily_bars = result.valid.map((b) => ({
    ticker,
    date: b.date,
    open: b.open,
    high: b.high,
    low: b.low,
    close: b.close,
    adj_close: b.adjClose ?? null,
    volume: b.volume,
    source: market.kind,
    ingested_at: now,
  }));
  const written = await warehouse.upsertBatch({
    daily_bars,
    ...(quarantine.length ? { quarantine } : {}),
  });
  return {
    bars: await readBars(cat, ticker, asOf),
    written: written.daily_bars ?? 0,
    quarantined: result.quarantined.length,
    missingSessions: result.missingSessions,
    revised: result.revised,
  };
}
