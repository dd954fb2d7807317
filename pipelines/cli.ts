#!/usr/bin/env node
/** `stockops`: the command line over the same runner the Cloud Functions call. */
import { Command, InvalidArgumentError } from 'commander';
import { openCatalog } from './catalog.js';
import { addCommonFlags, configFrom, type CommonFlags } from './cli/options.js';
import { formatTable } from './cli/table.js';
import { ConfigError } from './config.js';
import { runDaily, type RunSummary, type TickerResult } from './daily.js';
import { createLogger } from './log.js';

const ISO = /^\d{4}-\d{2}-\d{2}$/;
function isoDate(v: string): string {
  if (!ISO.test(v) || Number.isNaN(Date.parse(`${v}T00:00:00Z`))) {
    throw new InvalidArgumentError(`expected a date as YYYY-MM-DD, got "${v}"`);
  }
  return v;
}

function progress(r: TickerResult, done: number, total: number): void {
  if (!process.stderr.isTTY) return;
  const what = r.status === 'ok' ? 'ok' : `FAILED at ${r.failedStage}: ${r.error}`;
  process.stderr.write(`[${done}/${total}] ${r.ticker} ${what}\n`);
}

function printSummary(s: RunSummary): void {
  console.log(`run ${s.runId} for ${s.date}`);
  console.log(
    formatTable(
      ['ticker', 'status', 'bars', 'last bar', 'quarantined', 'feature rows', 'error'],
      s.results.map((r) => [r.ticker, r.status, r.bars, r.lastBar, r.quarantined, r.featureRows, r.error]),
    ),
  );
}

const program = new Command('stockops').description(
  'Daily batch: ingest → features → model → forecast → drift → record.',
);

addCommonFlags(
  program
    .command('run')
    .description('run the daily batch for one date')
    .requiredOption('--date <YYYY-MM-DD>', 'run date D (bars up to and including D)', isoDate),
).action(async (flags: CommonFlags & { date: string }) => {
  const config = configFrom(flags, process.env);
  const cat = await openCatalog(config, { log: createLogger() });
  try {
    const summary = await runDaily(cat, { date: flags.date }, progress);
    printSummary(summary);
    if (summary.results.some((r) => r.status === 'failed')) process.exitCode = 2;
  } finally {
    await cat.close();
  }
});

program.parseAsync().catch((e: unknown) => {
  const err = e as Error;
  console.error(err instanceof ConfigError ? err.message : (err.stack ?? err.message));
  process.exitCode = 1;
});
