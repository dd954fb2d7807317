import { describe, expect, it } from 'vitest';
import {
  deleteStatement,
  isConcurrentUpdateError,
  isTransientBigQueryError,
  lastPerKey,
  mergeScript,
  mergeStatement,
  partitionRange,
  selectStatement,
  tableMetadata,
} from '../../pipelines/ports/warehouse/bigquery-sql.js';
import { tables, type TableName } from '../../pipelines/ports/warehouse/schema.js';

describe('BigQuery SQL from the schema module', () => {
  it('binds every value as a typed parameter and keeps it out of the SQL text', () => {
    const nasty = "x'; DROP TABLE daily_bars; --";
    const st = selectStatement('daily_bars', '`p.d.daily_bars`', {
      where: { ticker: nasty, adj_close: null },
      between: { column: 'date', from: '2020-01-01', to: '2020-12-31' },
      orderBy: 'date',
      desc: true,
      limit: 5,
    });
    expect(st.sql).toBe(
      'SELECT `ticker`, `date`, `open`, `high`, `low`, `close`, `adj_close`, `volume`, `source`, ' +
        '`ingested_at` FROM `p.d.daily_bars` WHERE `ticker` = @p0 AND `adj_close` IS NULL AND ' +
        '`date` >= @p1 AND `date` <= @p2 ORDER BY `date` DESC LIMIT @limit',
    );
    expect(st.params).toEqual({
      p0: { type: 'STRING', value: nasty },
      p1: { type: 'DATE', value: '2020-01-01' },
      p2: { type: 'DATE', value: '2020-12-31' },
      limit: { type: 'INT64', value: 5 },
    });
    const none = selectStatement('features', '`t`', { where: { ticker: undefined } });
    expect(none.sql).toContain(' WHERE FALSE ORDER BY');
    const del = deleteStatement('outcomes', '`p.d.outcomes`', { ticker: nasty, horizon: 10 });
    expect(del.sql).not.toContain(nasty);
    expect(del.params.p1).toEqual({ type: 'INT64', value: 10 });
  });

  it('refuses unknown columns, a bad limit and an unfiltered delete', () => {
    const where = { nope: 1 } as unknown as Record<string, never>;
    expect(() => selectStatement('features', '`t`', { where })).toThrow(/no column "nope"/);
    expect(() => selectStatement('features', '`t`', { limit: 1.5 })).toThrow(/limit/);
    expect(() => deleteStatement('features', '`t`', {})).toThrow(/refusing to delete every row/);
  });

  it('MERGEs on the natural key and prunes the target when the partition column is in the key', () => {
    const st = mergeStatement('predictions', '`p.d.predictions`', '`p.d._staging_x`', 't0', {
      from: '2020-01-02',
      to: '2020-01-09',
    });
    expect(st.sql).toContain(
      'ON T.`ticker` = S.`ticker` AND T.`as_of_date` = S.`as_of_date` AND T.`horizon` = S.`horizon` ' +
        'AND T.`as_of_date` BETWEEN @t0_from AND @t0_to',
    );
    expect(st.sql).toContain('WHEN MATCHED THEN UPDATE SET `target_date` = S.`target_date`');
    expect(st.params).toEqual({
      t0_from: { type: 'DATE', value: '2020-01-02' },
      t0_to: { type: 'DATE', value: '2020-01-09' },
    });
    // pipeline_runs is partitioned by run_date, which is not in its key: no range, or a row whose
    // run_date changed would be inserted twice.
    const runs = mergeStatement('pipeline_runs', '`a`', '`b`', 't1', { from: 'x', to: 'y' });
    expect(runs.sql).not.toContain('BETWEEN');
    expect(runs.params).toEqual({});
  });

  it('bounds a transaction’s MERGEs with script variables read from the staging tables', () => {
    const bars = mergeStatement('daily_bars', '`p.d.daily_bars`', '`p.d._s0`', 't0');
    const runs = mergeStatement('pipeline_runs', '`p.d.pipeline_runs`', '`p.d._s1`', 't1');
    const script = mergeScript([bars, runs]);
    expect(script.params).toEqual({});
    const lines = script.sql.split('\n');
    expect(lines.slice(0, 3)).toEqual([
      'DECLARE t0_from DATE DEFAULT (SELECT MIN(`date`) FROM `p.d._s0`);',
      'DECLARE t0_to DATE DEFAULT (SELECT MAX(`date`) FROM `p.d._s0`);',
      'BEGIN TRANSACTION;',
    ]);
    expect(script.sql).toContain('AND T.`date` BETWEEN t0_from AND t0_to\n');
    expect(lines.filter((l) => l.startsWith('MERGE '))).toHaveLength(2);
    expect(lines.at(-1)).toBe('COMMIT TRANSACTION;');
    // A single MERGE is atomic on its own and keeps its typed parameters.
    expect(mergeScript([bars])).toBe(bars);
  });

  it('declares a partition column and ticker clustering for every table', () => {
    for (const name of Object.keys(tables) as TableName[]) {
      const md = tableMetadata(name);
      const col = md.timePartitioning.field;
      const type = (tables[name].columns as Record<string, string>)[col];
      expect(type, `${name}.${col}`).toMatch(/^(DATE|TIMESTAMP)$/);
      expect(md.clustering.fields).toEqual(['ticker']);
    }
  });

  it('keeps the last row per key and finds the batch’s date range', () => {
    const rows = [
      { ticker: 'A', date: '2020-01-03', feature: 'f', value: 1 },
      { ticker: 'A', date: '2020-01-01', feature: 'f', value: 2 },
      { ticker: 'A', date: '2020-01-03', feature: 'f', value: 3 },
    ];
    expect(lastPerKey('features', rows).map((r) => r.value)).toEqual([3, 2]);
    expect(partitionRange('features', rows)).toEqual({ from: '2020-01-01', to: '2020-01-03' });
  });

  it('calls outages, overload, rate limits and lost transactions transient, and nothing else', () => {
    const transient = [
      Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9050'), { code: 'ECONNREFUSED' }),
      Object.assign(new Error('Service Unavailable'), { code: 503 }),
      Object.assign(new Error('quota'), { code: 403, errors: [{ reason: 'rateLimitExceeded' }] }),
      Object.assign(new Error('x'), {
        code: 400,
        errors: [
          { reason: 'invalidQuery', message: 'Transaction is aborted due to concurrent update' },
        ],
      }),
      new Error('wrapped', { cause: Object.assign(new Error('reset'), { code: 'ECONNRESET' }) }),
    ];
    for (const e of transient) expect(isTransientBigQueryError(e), String(e)).toBe(true);
    const permanent = [
      Object.assign(new Error('Not found: Table'), { code: 404, errors: [{ reason: 'notFound' }] }),
      Object.assign(new Error('Syntax error'), { code: 400, errors: [{ reason: 'invalidQuery' }] }),
      new Error('daily_bars.close must be FLOAT64'),
    ];
    for (const e of permanent) expect(isTransientBigQueryError(e), String(e)).toBe(false);
    expect(isConcurrentUpdateError(transient[3])).toBe(true);
    expect(isConcurrentUpdateError(transient[0])).toBe(false);
  });
});
