import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { CsvFileError, parseYahooCsv } from './yahoo-csv.js';
import { PipelineError } from '../../types.js';
import type { RawBar } from '../../types.js';
import {
  barsOf,
  inRange,
  UnknownTickerError,
  type MarketDataSource,
  type FetchRange,
  type SourceResponse,
} from './port.js';

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
  const fetchResponse: MarketDataSource['fetchResponse'] = async (ticker, range) => {
    const path = (await files()).get(ticker.toUpperCase());
    if (!path) throw new UnknownTickerError(ticker, 'csv', `no ${ticker}.csv in ${dir}`);
    try {
      return await readCsvResponse(path, range);
    } catch (e) {
      if (e instanceof CsvFileError) throw new PipelineError(e.message, ticker, e.rule);
      throw e;
    }
  };
  return {
    kind: 'csv',
    async tickers() {
      return [...(await files()).keys()];
    },
    fetchResponse,
    fetch: barsOf(fetchResponse),
  };
}

const LEADING_DATE = /^\s*"?(\d{4}-\d{2}-\d{2})/;
const DATED = /^\d{4}-\d{2}-\d{2}$/;

/** The file's header and the lines behind the bars returned (in range, or unreadable). */
function rawLines(text: string, range: FetchRange): string {
  const [header = '', ...lines] = text.split(/\r?\n/);
  const kept = lines.filter((l) => {
    if (!l.trim()) return false;
    const date = LEADING_DATE.exec(l)?.[1];
    return !date || inRange(date, range);
  });
  return [header, ...kept].join('\n') + '\n';
}

export async function readCsvResponse(path: string, range: FetchRange): Promise<SourceResponse> {
  const text = await readFile(path, 'utf8');
  return {
    bars: csvBars(text, path, range),
    raw: { mediaType: 'text/csv', body: rawLines(text, range) },
  };
}

export async function readCsvBars(path: string, range: FetchRange): Promise<RawBar[]> {
  return csvBars(await readFile(path, 'utf8'), path, range);
}

function csvBars(text: string, path: string, range: FetchRange): RawBar[] {
  // A row whose date could not be read cannot be placed in a range: it is kept, so it is quarantined.
  return parseYahooCsv(text, path).filter((b) => !DATED.test(b.date) || inRange(b.date, range));
}
