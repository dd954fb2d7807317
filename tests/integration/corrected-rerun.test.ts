/**
 * A corrected re-run is a clean run. Bad input (an unreadable cell, and a wrong but plausible volume
 * that is stored), then the corrected file, re-running the same dates must leave exactly the rows a
 * run on the corrected file alone leaves: no quarantine rows for bars now valid, no model trained on
 * the bad bars served, no metrics computed on them — timestamps and run ids aside.
 */
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { backfill } from '../../pipelines/backfill.js';
import type { ConfigOverrides } from '../../pipelines/config.js';
import type { TableName } from '../../pipelines/ports/warehouse/schema.js';
import { tempCatalog } from '../support/catalog.js';
import { fixtureOhlc } from '../support/paths.js';
import { snapshotTables, type Snapshot } from '../support/tables.js';

const FILE = 'AAPL-20150902-20180119.csv';
const [D1, D2] = ['2018-01-18', '2018-01-19'];
// Inside the re-read overlap of D1 (5 days back; 2018-01-15 was a holiday).
const UNREADABLE_DAY = '2018-01-16';
const WRONG_VOLUME_DAY = '2018-01-17';

function corrupt(text: string): string {
  return text
    .split('\n')
    .map((line) => {
      const cells = line.split(',');
      if (cells[0] === UNREADABLE_DAY) cells[4] = '17x.5';
      if (cells[0] === WRONG_VOLUME_DAY) cells[6] = String(Number(cells[6]) * 3);
      return cells.join(',');
    })
    .join('\n');
}

function config(csvDir: string): ConfigOverrides {
  return {
    watchlist: ['AAPL'],
    source: { kind: 'csv', csvDir, startDate: '2016-06-01' },
    model: { units: 8, epochs: 2, trainDays: 150, patience: 2 },
  };
}

/** Rows of a run, without the run's identity (run ids, and the tables that only log runs). */
function content(s: Snapshot): Partial<Snapshot> {
  const out: Partial<Snapshot> = {};
  for (const [name, rows] of Object.entries(s) as [TableName, Snapshot[TableName]][]) {
    if (name === 'pipeline_runs') continue;
    out[name] = rows.map(({ run_id: _run, ...rest }) => rest);
  }
  return out;
}

describe('a corrected re-run', () => {
  it('gives exactly the rows of a clean run of the same dates', async () => {
    const good = mkdtempSync(join(tmpdir(), 'stockops-good-'));
    copyFileSync(join(fixtureOhlc, FILE), join(good, 'AAPL.csv'));
    const editable = mkdtempSync(join(tmpdir(), 'stockops-edit-'));
    const original = readFileSync(join(fixtureOhlc, FILE), 'utf8');
    writeFileSync(join(editable, 'AAPL.csv'), corrupt(original));

    const clean = await tempCatalog(config(good));
    const fixed = await tempCatalog(config(editable));
    try {
      const days = { from: D1, to: D2 };
      await backfill(clean.cat, days);
      const cleanRows = content(await snapshotTables(clean.cat));
      // Not vacuous: the clean run trained, predicted and scored drift on both days.
      expect(cleanRows.predictions).toHaveLength(2);
      expect(cleanRows.model_decisions?.map((d) => d.decision)).toEqual(['train', 'load']);
      expect(cleanRows.drift_scores?.length).toBeGreaterThan(10);

      const bad = await backfill(fixed.cat, days);
      expect(bad.every((d) => d.results[0]?.status === 'ok')).toBe(true);
      const q = await fixed.cat.warehouse.select('quarantine', {});
      expect(q.map((r) => r.date)).toEqual([UNREADABLE_DAY]);
      const badLabel = (await fixed.cat.warehouse.select('model_decisions', {}))[0]?.model_version;

      writeFileSync(join(editable, 'AAPL.csv'), original);
      await backfill(fixed.cat, days);
      const fixedRows = content(await snapshotTables(fixed.cat));

      expect(fixedRows.quarantine).toEqual([]);
      const served = (fixedRows.model_decisions ?? []).map((d) => d.model_version);
      expect(served).not.toContain(badLabel);
      // Table by table first, for a readable failure; then everything at once.
      for (const name of Object.keys(cleanRows) as TableName[]) {
        expect(fixedRows[name], name).toEqual(cleanRows[name]);
      }
      expect(fixedRows).toEqual(cleanRows);
    } finally {
      await clean.cat.close();
      await fixed.cat.close();
    }
  });
});
