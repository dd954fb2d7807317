/**
 * Alerts that can fire: the functions' handlers run one ticker-day each way the alerts care about
 * (a ticker that trains and drifts with a badly served past, a ticker that fails, a malformed
 * message), their structured log lines (pipelines/log.ts, JSON as Cloud Logging ingests it) are
 * collected as log entries of the function's Cloud Run service, and every log-based metric of
 * infra/monitoring.tf must match at least one of them, with its label fields present; no filter
 * or label may name a field no line carries.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tickerMessage } from '../../functions/events.js';
import { decodeOrDeadLetter, onIngest, onModel } from '../../functions/handlers.js';
import { RESULT_MESSAGE } from '../../functions/result-log.js';
import type { Catalog } from '../../pipelines/catalog.js';
import { createLogger } from '../../pipelines/log.js';
import type { NewRow } from '../../pipelines/ports/warehouse/schema.js';
import { tempCatalog } from '../support/catalog.js';
import { loadInfra, type Infra } from './hcl.js';
import { matches, parseFilter, type Condition } from './log-filter.js';

const SMALL = {
  watchlist: ['SP500'],
  source: { startDate: '2018-06-01' },
  model: { units: 16, epochs: 2, trainDays: 200 },
};
// Mid-April 2020, weeks after the crash: the last 30 sessions differ from the training years.
const DATE = '2020-04-17';

interface Entry {
  resource: { type: string; labels: { service_name: string } };
  jsonPayload: Record<string, unknown>;
}
interface Metric {
  name: string;
  conditions: Condition[];
  /** Label -> the jsonPayload field its EXTRACT reads. */
  labels: Record<string, string>;
}

/** The filters with their `${…}` resolved from infra/ (variable defaults, the functions' names). */
function logMetrics(infra: Infra): Metric[] {
  const vars = (text: string): string =>
    text.replace(/\$\{var\.(\w+)\}/g, (_, name: string) => {
      const d = infra.variables[name]?.default;
      if (typeof d !== 'string' && typeof d !== 'number') {
        throw new Error(`var.${name} has no string or number default`);
      }
      return String(d);
    });
  const functions = infra.locals.functions as Record<string, { name: string }>;
  const join = '${join(" OR ", [for f in local.functions : "\\"${f.name}\\""])}';
  const logs = infra.locals.function_logs as string;
  if (!logs.includes(join)) throw new Error(`local.function_logs changed: ${logs}`);
  const names = Object.values(functions).map((f) => `"${vars(f.name)}"`);
  const functionLogs = logs.replace(join, names.join(' OR '));
  const metrics = infra.locals.log_metrics as Record<
    string,
    { filter: string; labels: Record<string, string> }
  >;
  return Object.entries(metrics).map(([name, m]) => {
    const filter = vars(m.filter.replace('${local.function_logs}', functionLogs));
    if (filter.includes('${')) throw new Error(`${name}: unresolved expression in ${filter}`);
    const labels = Object.fromEntries(
      Object.entries(m.labels).map(([k, v]) => {
        const field = /^EXTRACT\(([\w.]+)\)$/.exec(v)?.[1];
        if (!field) throw new Error(`${name}: label ${k} is not an EXTRACT: ${v}`);
        return [k, field];
      }),
    );
    return { name, conditions: parseFilter(filter), labels };
  });
}

/** Past served forecasts 4x as far off as the naive no-change forecast: realised MASE 4. */
function badlyServedPast(horizons: number[]): NewRow<'outcomes'>[] {
  return horizons.flatMap((horizon) =>
    Array.from({ length: 20 }, (_, k) => {
      const day = String(k + 1).padStart(2, '0');
      return {
        ticker: 'SP500',
        as_of_date: `2020-02-${day}`,
        horizon,
        target_date: `2020-03-${day}`,
        base_close: 100,
        predicted_close: 105,
        actual_close: 101,
        abs_error: 4,
        pct_error: (4 / 101) * 100,
        naive_abs_error: 1,
        direction_correct: true,
        model_version: 'v-past',
      };
    }),
  );
}

describe('log-based alerts match lines the functions write', () => {
  const entries: Entry[] = [];
  let service = '';
  let cat: Catalog;
  let metrics: Metric[];
  let names: Record<string, string>;

  beforeAll(async () => {
    const infra = await loadInfra();
    metrics = logMetrics(infra);
    const fns = infra.locals.functions as Record<string, { name: string }>;
    names = Object.fromEntries(
      Object.entries(fns).map(([k, f]) => [k, f.name.replace('${var.topic_prefix}', 'stockops')]),
    );
    const log = createLogger({
      json: true,
      level: 'DEBUG',
      write: (line) =>
        entries.push({
          resource: { type: 'cloud_run_revision', labels: { service_name: service } },
          jsonPayload: JSON.parse(line) as Record<string, unknown>,
        }),
    });
    ({ cat } = await tempCatalog(SMALL, { log }));
    const as = async <T>(fn: string, run: () => Promise<T>): Promise<T> => {
      service = names[fn] ?? '';
      return run();
    };
    const msg = { runId: 'alerts', date: DATE, ticker: 'SP500' };
    await as('ingest', () => onIngest(msg, cat));
    await as('ingest', () => onIngest({ ...msg, ticker: 'NOPE' }, cat));
    await cat.warehouse.upsertBatch({ outcomes: badlyServedPast(cat.config.horizons) });
    await as('model', () => onModel(msg, cat));
    const bad = { message: { data: Buffer.from('{"ticker":"SP500"}').toString('base64') } };
    await as('model', () => decodeOrDeadLetter(bad, tickerMessage, 'stockopsModel', cat));
  });
  afterAll(() => cat.close());

  it('reads the four log-based metrics of infra/monitoring.tf', () => {
    expect(metrics.map((m) => m.name).sort()).toEqual([
      'dataset_drift',
      'dead_lettered',
      'failed_tickers',
      'served_mase_breach',
    ]);
  });

  it('the model function writes one result line with the fields the alerts read', () => {
    const results = entries.filter((e) => e.jsonPayload.message === RESULT_MESSAGE);
    expect(results).toHaveLength(1);
    expect(results[0]?.resource.labels.service_name).toBe(names.model);
    expect(results[0]?.jsonPayload).toMatchObject({
      ticker: 'SP500',
      status: 'ok',
      decision: 'train',
      datasetDrift: true,
    });
    // Realised MASE of the seeded past: mean |105 - 101| / mean |100 - 101| = 4 at every horizon.
    expect(results[0]?.jsonPayload.servedMaseMax).toBeCloseTo(4, 10);
  });

  it('every metric matches a line, with its label fields set', () => {
    const unmatched = metrics.flatMap((m) => {
      const hits = entries.filter((e) => matches(e, m.conditions));
      const labelled = hits.filter((e) =>
        Object.values(m.labels).every((f) => matches(e, [{ field: f, op: ':', values: [''] }])),
      );
      return labelled.length > 0 ? [] : [`${m.name} (${hits.length} lines match, none labelled)`];
    });
    expect(unmatched).toEqual([]);
  });

  it('no filter or label names a field no line carries', () => {
    const fields = new Set(
      metrics.flatMap((m) => [...m.conditions.map((c) => c.field), ...Object.values(m.labels)]),
    );
    const never = [...fields].filter(
      (f) => !entries.some((e) => matches(e, [{ field: f, op: ':', values: [''] }])),
    );
    expect(never).toEqual([]);
    expect(fields).toContain('jsonPayload.servedMaseMax');
  });

  it('the evaluator reads what it claims and refuses what it cannot', () => {
    const e = { jsonPayload: { a: 1.5, b: true, m: 'x dead-letter y' } };
    expect(matches(e, parseFilter('jsonPayload.a>=1.5 AND jsonPayload.b=true'))).toBe(true);
    expect(matches(e, parseFilter('jsonPayload.a>=1.6'))).toBe(false);
    expect(matches(e, parseFilter('jsonPayload.m=~"dead-letter"'))).toBe(true);
    expect(matches(e, parseFilter('jsonPayload.m=("a" OR "x dead-letter y")'))).toBe(true);
    expect(matches(e, parseFilter('jsonPayload.missing>=0'))).toBe(false);
    expect(() => parseFilter('jsonPayload.a=1 OR jsonPayload.b=true')).toThrow(/unsupported/);
    expect(() => parseFilter('NOT jsonPayload.a=1')).toThrow(/unsupported/);
  });
});
