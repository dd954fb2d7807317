import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { CsvFileError, parseYahooCsv } from '../../ingest/csv.js';
import { PipelineError } from '../../types.js';
import type { RawBar } from '../../types.js';
import { inRange, UnknownTickerError, type MarketDataSource } from './port.js';

export interface CsvFolderOptions {
  dir: string;
}

// `AAPL.csv` or `AAPL-20040819-20180120.csv` (Yahoo export plus the date span) both name AAPL.
const FILE = /^(.+?)(-\d{8}-\d{8})?\.csv$/i;

/** A folder of Yahoo-format CSVs, one file per ticker. Unreadable rows come back marked for the contract. */
export function createCsvFolderSource({ dir }: CsvFolderOptions): MarketDataSource {
  const files = async (): Promise<Map<string, string>> => {
    let names: string[];
    try {
      names = await readdir(dir);
    } catch (e) {
      throw new Error(`csv source: cannot read folder ${dir}: ${(e as Error).message}`);
    }
    const map = new Map<string, string>();
    for (const name of names.sort()) {
      const m = FILE.exec(name);
      if (m?.[1]) map.set(m[1].toUpperCase(), join(dir, name));
    }
    return map;
  };
  return {
    kind: 'csv',
    async tickers() {
      return [...(await files()).keys()];
    },
    async fetch(ticker, range) {
      const path = (await files()).get(ticker.toUpperCase());
      if (!path) throw new UnknownTickerError(ticker, 'csv', `no ${ticker}.csv in ${dir}`);
      try {
        return await readCsvBars(path, range);
      } catch (e) {
        if (e instanceof CsvFileError) throw new PipelineError(e.message, ticker, e.rule);
        throw e;
      }
    },
  };
}

export async function readCsvBars(
  path: string,
  range: { from?: string; to?: string },
): Promise<RawBar[]> {
  // A row whose date could not be read cannot be placed in a range: it is kept, so it is quarantined.
  return parseYahooCsv(await readFile(path, 'utf8'), path).filter(
    (b) => !DATED.test(b.date) || inRange(b.date, range),
  );
}

const DATED = /^\d{4}-\d{2}-\d{2}$/;
