#!/usr/bin/env node
/** `stockops`: the command line over the same runner the Cloud Functions call. */
import { Command, InvalidArgumentError } from 'commander';
import { openCatalog } from './catalog.js';
import { cliMessage } from './cli/errors.js';
import { addCommonFlags, configFrom, type CommonFlags } from './cli/options.js';
import { ConfigError, type Config } from './config.js';
import { backfill } from './backfill.js';
import { runDemo } from './cli/demo.js';
import { syncMlflowOutbox } from './cli/mlflow.js';
import { addTaskFlags, taskFrom, type TaskFlags } from './cli/shard.js';
import { sharedRunId } from './shard.js';
import { interruptedNotes, summaryTable } from './cli/summary.js';
import { runDaily, type RunSummary } from './daily.js';
import { isCalendarDate } from './calendar/exchange.js';
import { createLogger } from './log.js';
import { openTerminal } from './cli/terminal.js';
import { runStatus } from './cli/status.js';
import { evaluate } from './evaluate/run.js';
import { evaluationTable } from './evaluate/report.js';
import { randomUUID } from 'node:crypto';

// Date.parse would roll 2020-02-30 over to March 1st; the calendar check refuses it.
function isoDate(v: string): string {
  if (!isCalendarDate(v)) {
    throw new InvalidArgumentError(`expected a date as YYYY-MM-DD, got "${v}"`);
  }
  return v;
}

function printSummary(s: RunSummary): void {
  console.log(`run ${s.runId} for ${s.date}`);
  console.log(summaryTable(s.results));
  for (const note of interruptedNotes(s.results)) console.log(note);
}

/** A URI as it may be printed: user and password (MLflow accepts them in the URL) removed. */
function withoutCredentials(uri: string): string {
  const u = new URL(uri);
  u.username = '';
  u.password = '';
  return u.href;
}

function whereResults(c: Config): string {
  const w =
    c.warehouse.kind === 'duckdb'
      ? c.warehouse.path
      : `${c.warehouse.projectId}.${c.warehouse.dataset}`;
  const o = c.objectStore.kind === 'local' ? c.objectStore.dir : `gs://${c.objectStore.bucket}`;
  const t = c.tracking.kind === 'local' ? c.tracking.dir : withoutCredentials(c.tracking.uri);
  return `warehouse: ${w}\nartifacts: ${o}\ntracking:  ${t}`;
}

type EvaluateFlags = CommonFlags & TaskFlags & { from: string; to: string; seedLedger?: boolean };

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
  const term = openTerminal('run', process.env);
  const cat = await openCatalog(config, { log: term.log });
  let summary: RunSummary;
  try {
    term.progress.plan([flags.date]);
    summary = await runDaily(cat, { date: flags.date }, term.progress.ticker);
  } finally {
    term.progress.end();
    // Closed before the summary: a warehouse that cannot persist the run fails it (exit 1), never "ok".
    await cat.close();
  }
  printSummary(summary);
  if (summary.results.some((r) => r.status === 'failed')) process.exitCode = 2;
});

addCommonFlags(
  addTaskFlags(program.command('backfill'))
    .description('replay the daily run for each trading day in a range, point in time')
    .requiredOption('--from <YYYY-MM-DD>', 'first run date', isoDate)
    .requiredOption('--to <YYYY-MM-DD>', 'last run date', isoDate),
).action(async (flags: CommonFlags & TaskFlags & { from: string; to: string }) => {
  const config = configFrom(flags, process.env);
  const task = taskFrom(flags, config, process.env);
  if (task.shard.count > 1) console.log(task.label);
  // More tasks than tickers: this one has nothing to do, which is not a failure.
  if (!task.tickers.length) return;
  const term = openTerminal('backfill', process.env);
  const cat = await openCatalog(config, { log: term.log });
  let days: RunSummary[];
  try {
    const req = { from: flags.from, to: flags.to, tickers: task.tickers, runKey: task.runKey };
    days = await backfill(
      cat,
      req,
      (s) => {
        term.progress.day(s);
        // A JSON line per day off a terminal; on one the progress line says it.
        const fields = {
          date: s.date,
          failed: s.results.filter((r) => r.status === 'failed').length,
        };
        if (process.stderr.isTTY) cat.log.debug('day done', fields);
        else cat.log.info('day done', fields);
      },
      term.progress.ticker,
      term.progress.plan,
    );
  } finally {
    term.progress.end();
    await cat.close();
  }
  const last = days.at(-1);
  if (last) printSummary(last);
  console.log(`${days.length} trading days replayed\n${whereResults(config)}`);
  if (days.some((d) => d.results.some((r) => r.status === 'failed'))) process.exitCode = 2;
});

addCommonFlags(
  addTaskFlags(program.command('evaluate'))
    .description(
      'walk-forward over real history, point in time: raw LSTM, ensemble, served, naive and drift per ticker',
    )
    .requiredOption('--from <YYYY-MM-DD>', 'first as-of date scored', isoDate)
    .requiredOption('--to <YYYY-MM-DD>', 'last date whose bars are used', isoDate)
    .option(
      '--retrain-every <sessions>',
      'retrain cadence in sessions (config evaluation.retrainEvery)',
    )
    .option('--ensemble-size <k>', 'LSTM members averaged (config serving.ensembleSize)')
    .option('--seed-ledger', 'also write the served forecasts and outcomes to the ledger tables'),
).action(async (flags: EvaluateFlags) => {
  const config = configFrom(flags, process.env);
  const task = taskFrom(flags, config, process.env);
  if (task.shard.count > 1) console.log(task.label);
  if (!task.tickers.length) return;
  // No progress line (evaluate reports its retrains itself), but the same quiet logger and TF settings.
  const term = openTerminal('evaluate', process.env);
  const cat = await openCatalog(config, { log: term.log });
  const prefix = `evaluate-${flags.from}-${flags.to}`;
  let results: Awaited<ReturnType<typeof evaluate>>;
  const started = Date.now();
  try {
    const { ensureBackend } = await import('./model/runtime/backend.js');
    const backend = await ensureBackend(config.model.backend, cat.log, config.model.threads);
    results = await evaluate(cat, {
      from: flags.from,
      to: flags.to,
      tickers: task.tickers,
      // One run id for every task of a sharded evaluation; else a fresh one.
      runId: task.runKey
        ? sharedRunId(prefix, task.runKey)
        : `${prefix}-${randomUUID().slice(0, 8)}`,
      backend: backend.name,
      seedLedger: flags.seedLedger ?? false,
      onRetrain: (t, d, k, n) => {
        if (process.stderr.isTTY) process.stderr.write(`${t}: retrain ${k + 1}/${n} on ${d}\n`);
      },
    });
  } finally {
    await cat.close();
  }
  const training = new Map(results.flatMap((r) => (r.training ? [[r.ticker, r.training]] : [])));
  console.log(
    evaluationTable(
      results.flatMap((r) => r.evaluations),
      training,
    ),
  );
  for (const r of results.filter((x) => x.error)) console.log(`${r.ticker}: FAILED: ${r.error}`);
  console.log(
    `\nretrain every ${config.evaluation.retrainEvery} sessions, ${config.serving.ensembleSize} members, ${config.model.epochs} epochs; ` +
      `${((Date.now() - started) / 1000).toFixed(0)} s\n${whereResults(config)}`,
  );
  if (results.some((r) => r.error)) process.exitCode = 2;
});

program
  .command('demo')
  .description(
    'the whole batch on embedded defaults, no network: backfill, then run as of the last date',
  )
  .option('--config <file>', 'demo config', 'stockops.demo.json')
  .option('--sessions <n>', 'trading sessions to backfill before the last date', '20')
  .action(async (flags: { config: string; sessions: string }) => {
    const term = openTerminal('demo', process.env);
    const demo = await runDemo({
      configFile: flags.config,
      backfillSessions: Number(flags.sessions),
      env: process.env,
      log: term.log,
      progress: term.progress,
    }).finally(() => term.progress.end());
    console.log(summaryTable(demo.results));
    console.log(`\n${whereResults(demo.config)}\ndemo took ${demo.seconds.toFixed(0)} s`);
    console.log(
      'path' in demo.dashboard
        ? `dashboard: ${demo.dashboard.path} (open it in a browser; make dashboard redraws it)`
        : `dashboard: not drawn: ${demo.dashboard.error}`,
    );
    if (demo.results.some((r) => r.status === 'failed')) process.exitCode = 2;
  });

addCommonFlags(
  program
    .command('status')
    .description(
      'the latest (or given) run date per ticker: stages, failure reason, serving version and policy, drift, duration; exit 2 if any ticker failed',
    )
    .option(
      '--date <YYYY-MM-DD>',
      'run date to report (default: the latest in pipeline_runs)',
      isoDate,
    ),
).action(async (flags: CommonFlags & { date?: string }) => {
  process.exitCode = await runStatus(configFrom(flags, process.env), flags.date, (t) =>
    console.log(t),
  );
});

const mlflow = program.command('mlflow').description('the MLflow tracking server');
mlflow
  .command('sync')
  .description('deliver the runs kept in the MLflow outbox while the server was unreachable')
  .option('--config <file>', 'JSON config file (else $STOCKOPS_CONFIG)')
  .action(async (flags: CommonFlags) => {
    const r = await syncMlflowOutbox(configFrom(flags, process.env), createLogger());
    console.log(
      `mlflow sync to ${r.server}: ${r.delivered} delivered, ${r.remaining} remaining in ${r.outbox}`,
    );
    // Runs left behind mean the server is still unreachable or refused them: a scheduler should see it.
    if (r.remaining > 0) process.exitCode = 2;
  });

// Bad usage, bad config, or a run that could not start (a data folder that cannot be created, a
// warehouse locked by another run): one plain line and exit code 1. Ticker failures exit 2 above.
program.parseAsync().catch((e: unknown) => {
  console.error(
    e instanceof ConfigError ? e.message : cliMessage(e, process.env.STOCKOPS_DEBUG === '1'),
  );
  process.exitCode = 1;
});
