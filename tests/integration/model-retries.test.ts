import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openCatalog, type Catalog } from '../../pipelines/catalog.js';
import { DEFAULT_INDICATORS, type ConfigOverrides } from '../../pipelines/config.js';
import { runDaily } from '../../pipelines/daily.js';
import { tempCatalog } from '../support/catalog.js';

const SMALL: ConfigOverrides = {
  watchlist: ['SP500'],
  source: { startDate: '2018-06-01' },
  model: { units: 16, epochs: 2, trainDays: 200 },
};
const D1 = '2020-03-31';
const D2 = '2020-04-01';

let open: Catalog[] = [];
afterEach(async () => {
  for (const c of open) await c.close();
  open = [];
});

describe('the model stage on retries and config changes', () => {
  it('a retry after a failure that left the version saved but no decision reuses the saved version', async () => {
    const { cat, dir } = await tempCatalog(SMALL);
    open.push(cat);
    const first = (await runDaily(cat, { date: D1 })).results[0];
    expect(first).toMatchObject({ status: 'ok', decision: 'train' });
    // As if the run had died after saving the version: neither registered nor decided.
    await cat.warehouse.delete('model_decisions', { ticker: 'SP500', as_of_date: D1 });
    await rm(join(dir, 'tracking', 'registry'), { recursive: true });
    expect(await readdir(join(dir, 'artifacts', 'models', 'SP500'))).toEqual([first?.modelVersion]);
    const retry = (await runDaily(cat, { date: D1 })).results[0];
    expect(retry).toMatchObject({
      status: 'ok',
      decision: 'train',
      modelVersion: first?.modelVersion,
    });
    expect(retry?.forecasts).toEqual(first?.forecasts);
  });

  it('after an indicator change the old champion cannot be scored, and the new model takes over', async () => {
    const { cat } = await tempCatalog(SMALL);
    const first = (await runDaily(cat, { date: D1 })).results[0];
    expect(first?.status).toBe('ok');
    const config = {
      ...cat.config,
      indicators: DEFAULT_INDICATORS.filter((i) => i.kind !== 'obv'),
    };
    await cat.close();
    const changed = await openCatalog(config, { log: cat.log });
    open.push(changed);
    const next = (await runDaily(changed, { date: D2 })).results[0];
    expect(next).toMatchObject({ status: 'ok', decision: 'train', promoted: true });
    expect(next?.reason).toMatch(
      /^config changed since champion .*; champion could not be scored on the holdout/,
    );
    expect(next?.modelVersion).not.toBe(first?.modelVersion);
  });
});
