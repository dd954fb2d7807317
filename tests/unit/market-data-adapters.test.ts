/** The market-data contract on every adapter: bundled, a CSV folder, and Yahoo replaying a recording. */
import { join } from 'node:path';
import { createBundledSource } from '../../pipelines/ports/market-data/bundled.js';
import { createCompositeSource } from '../../pipelines/ports/market-data/composite.js';
import { createCsvFolderSource } from '../../pipelines/ports/market-data/csv-folder.js';
import { createYahooSource } from '../../pipelines/ports/market-data/yahoo.js';
import { marketDataContract } from '../contract/market-data.contract.js';
import { repoFixtures } from '../support/paths.js';
import { fixtureBody, replayBySymbol } from '../support/yahoo-replay.js';

const csvDir = join(repoFixtures, 'csv');
const aapl = fixtureBody('chart-AAPL-2020-08-31-to-2020-11-07.json', join(repoFixtures, 'yahoo'));

marketDataContract('bundled (vega-datasets S&P 500)', {
  make: createBundledSource,
  ticker: 'SP500',
  first: '2000-01-03',
  last: '2020-04-17',
  from: '2008-09-15',
  to: '2008-12-31',
  adjClose: true,
});

marketDataContract('csv folder (tests/fixtures/csv)', {
  make: () => createCsvFolderSource({ dir: csvDir }),
  ticker: 'AAPL',
  first: '2017-10-02',
  last: '2018-01-19',
  from: '2017-11-01',
  to: '2017-12-29',
  adjClose: true,
});

marketDataContract('csv folder, then bundled (the csv source as the catalog builds it)', {
  make: () =>
    createCompositeSource([createCsvFolderSource({ dir: csvDir }), createBundledSource()]),
  ticker: 'SPY',
  first: '2017-11-01',
  last: '2017-12-29',
  from: '2017-11-15',
  to: '2017-12-15',
  adjClose: true,
});

marketDataContract('yahoo (yahoo-finance2, recorded AAPL chart response)', {
  make: () =>
    createYahooSource({ timeoutMs: 2000, retries: 0, fetch: replayBySymbol({ AAPL: aapl }) }),
  ticker: 'AAPL',
  first: '2020-08-31',
  last: '2020-11-06',
  from: '2020-09-01',
  to: '2020-10-30',
  adjClose: true,
});
