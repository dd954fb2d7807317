import { describe, expect, it } from 'vitest';
import { adjustBars, adjustmentRevised } from '../../pipelines/ingest/adjust.js';
import { createCsvFolderSource } from '../../pipelines/ports/market-data/csv-folder.js';
import type { RawBar } from '../../pipelines/types.js';
import { fixtureOhlc } from '../support/paths.js';

const maxAbsLogReturn = (closes: number[]) =>
  Math.max(...closes.slice(1).map((c, i) => Math.abs(Math.log(c / (closes[i] ?? c)))));

describe('split and dividend adjustment', () => {
  it('scales OHLC by adj/close and volume inversely, keeping dollar volume', () => {
    const raw: RawBar = {
      date: '2020-01-02',
      open: 100,
      high: 110,
      low: 90,
      close: 100,
      adjClose: 25,
      volume: 1000,
    };
    const [b] = adjustBars([raw]);
    expect(b).toEqual({
      date: '2020-01-02',
      open: 25,
      high: 27.5,
      low: 22.5,
      close: 25,
      volume: 4000,
    });
    expect((b?.close ?? 0) * (b?.volume ?? 0)).toBeCloseTo(raw.close * raw.volume, 9);
  });

  it('leaves bars without an adjusted close as they are', () => {
    const raw = { date: '2020-01-02', open: 1, high: 2, low: 0.5, close: 1.5, volume: 7 };
    expect(adjustBars([raw])).toEqual([raw]);
  });

  it('removes GE’s 2000 split jump: the unadjusted close falls by two thirds in a day, adjusted ones do not (real data)', async () => {
    const ge = await createCsvFolderSource({ dir: fixtureOhlc }).fetch('GE', {});
    const raw = ge.map((b) => b.close);
    const adjusted = adjustBars(ge).map((b) => b.close);
    // GE split 3:1 on 2000-05-08 (the fixture spans 1999-07 to 2001-06): raw closes third overnight.
    expect(maxAbsLogReturn(raw)).toBeGreaterThan(Math.log(2.9));
    // The worst real day left is an ordinary market day, never a split-sized jump.
    expect(maxAbsLogReturn(adjusted)).toBeLessThan(Math.log(1.3));
  });

  it('detects a revised adjustment in the overlap (a new dividend rescales history)', () => {
    const stored: RawBar[] = [
      { date: '2021-01-04', open: 1, high: 1, low: 1, close: 100, adjClose: 98, volume: 1 },
    ];
    const same = [{ ...stored[0]!, volume: 2 }];
    const revised = [{ ...stored[0]!, adjClose: 97.5 }];
    expect(adjustmentRevised(stored, same)).toBe(false);
    expect(adjustmentRevised(stored, revised)).toBe(true);
  });
});
