/** The raw market-data archive written by the ingest step: raw/<ticker>/<date>.json, create-only. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Catalog } from '../../pipelines/catalog.js';
import { rawArchiveKey } from '../../pipelines/ingest/archive.js';
import { ingestStep } from '../../pipelines/ingest/step.js';
import { parseYahooCsv } from '../../pipelines/ports/market-data/yahoo-csv.js';
import { tempCatalog } from '../support/catalog.js';

interface Archive {
  formatVersion: number;
  ticker: string;
  date: string;
  source: string;
  responses: {
    range: { from: string | null; to: string | null };
    mediaType: string;
    body: unknown;
  }[];
}

const read = async (cat: Catalog, key: string): Promise<Buffer> => {
  const bytes = await cat.store.get(key);
  expect(bytes, key).toBeDefined();
  return Buffer.from(bytes as Uint8Array);
};

describe('raw market-data archive (bundled source, local folder)', () => {
  let cat: Catalog;
  beforeAll(async () => {
    ({ cat } = await tempCatalog({ watchlist: ['SP500'], source: { startDate: '2020-01-02' } }));
  });
  afterAll(() => cat.close());

  it('keeps the response behind the stored bars, and a re-run of the day leaves it byte-identical', async () => {
    const first = await ingestStep({ cat, ticker: 'SP500', runDate: '2020-04-16', runId: 'r1' });
    const bytes = await read(cat, rawArchiveKey('SP500', '2020-04-16'));
    const doc = JSON.parse(bytes.toString('utf8')) as Archive;
    expect(doc).toMatchObject({
      formatVersion: 1,
      ticker: 'SP500',
      date: '2020-04-16',
      source: 'bundled',
      responses: [{ range: { from: '2020-01-02', to: '2020-04-16' }, mediaType: 'text/csv' }],
    });
    // The archived CSV parses back to exactly the bars the warehouse now holds.
    const parsed = parseYahooCsv(doc.responses[0]?.body as string);
    expect(parsed.filter((b) => b.unreadable)).toEqual([]);
    expect(parsed.map((b) => b.date)).toEqual(first.bars.map((b) => b.date));
    const stored = await cat.warehouse.select('daily_bars', { where: { ticker: 'SP500' } });
    expect(parsed.map((b) => b.close)).toEqual(stored.map((b) => b.close));

    // The re-run fetches only the overlap, a different response; the first archive stays.
    await ingestStep({ cat, ticker: 'SP500', runDate: '2020-04-16', runId: 'r1-again' });
    expect((await read(cat, rawArchiveKey('SP500', '2020-04-16'))).equals(bytes)).toBe(true);

    await ingestStep({ cat, ticker: 'SP500', runDate: '2020-04-17', runId: 'r2' });
    const next = JSON.parse(
      (await read(cat, rawArchiveKey('SP500', '2020-04-17'))).toString('utf8'),
    ) as Archive;
    // The next day's fetch starts at the overlap before the last stored bar.
    expect(next.responses.map((r) => r.range)).toEqual([{ from: '2020-04-11', to: '2020-04-17' }]);
    expect(await cat.store.list('raw/')).toEqual([
      'raw/SP500/2020-04-16.json',
      'raw/SP500/2020-04-17.json',
    ]);
  });

  it('archives what the source said even when the contract then rejects the day', async () => {
    // 2020-05-29 is weeks after the bundled series ends (2020-04-17): stale, so ingest fails.
    await expect(
      ingestStep({ cat, ticker: 'SP500', runDate: '2020-05-29', runId: 'stale' }),
    ).rejects.toThrow(/stale/);
    const doc = JSON.parse(
      (await read(cat, rawArchiveKey('SP500', '2020-05-29'))).toString('utf8'),
    ) as Archive;
    expect(doc.responses[0]?.range).toEqual({ from: '2020-04-12', to: '2020-05-29' });
  });
});
