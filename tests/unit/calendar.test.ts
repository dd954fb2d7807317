import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  addTradingDays,
  exchangeFor,
  isTradingDay,
  nyseClosure,
  nyseHolidays,
  tradingDaysBetween,
} from '../../pipelines/calendar/exchange.js';
import { fixtureCalendar, fixtureOhlc } from '../support/paths.js';

describe('exchangeFor', () => {
  it('sends Yahoo crypto pairs to the 24x7 calendar and everything else to NYSE', () => {
    expect(exchangeFor('BTC-USD')).toBe('24x7');
    expect(exchangeFor('ETH-USD')).toBe('24x7');
    expect(exchangeFor('sol-eur')).toBe('24x7');
    expect(exchangeFor('AAPL')).toBe('NYSE');
    expect(exchangeFor('BRK-B')).toBe('NYSE');
    expect(exchangeFor('^GSPC')).toBe('NYSE');
    expect(exchangeFor('SP500')).toBe('NYSE');
  });
});

describe('isTradingDay (NYSE)', () => {
  it.each([
    ['2020-04-10', 'Good Friday'],
    ['2020-07-03', 'Independence Day'], // July 4th 2020 was a Saturday
    ['2020-11-26', 'Thanksgiving Day'],
    ['2020-12-25', 'Christmas Day'],
    ['2021-12-24', 'Christmas Day'], // Christmas 2021 was a Saturday
    ['2022-06-20', 'Juneteenth'], // June 19th 2022 was a Sunday
    ['2022-12-26', 'Christmas Day'],
    ['2023-01-02', "New Year's Day"],
    ['2027-06-18', 'Juneteenth'], // June 19th 2027 is a Saturday
    ['1998-01-19', 'Martin Luther King Jr. Day'],
    ['2001-09-11', 'September 11 attacks'],
    ['2012-10-30', 'Hurricane Sandy'],
    ['2018-12-05', 'National day of mourning for President George H. W. Bush'],
    ['2025-01-09', 'National day of mourning for President Carter'],
  ])('closes %s for %s', (date, name) => {
    expect(isTradingDay(date, 'NYSE')).toBe(false);
    expect(nyseClosure(date)).toBe(name);
  });

  it.each([
    '2021-12-31', // New Year 2022 fell on a Saturday: no Friday observance
    '2027-12-31', // same for 2028
    '2020-11-27', // day after Thanksgiving: early close, still a session
    '1997-01-20', // third Monday of January before MLK Day was an NYSE holiday
    '2021-06-18', // before Juneteenth became an NYSE holiday
  ])('opens on %s', (date) => {
    expect(isTradingDay(date, 'NYSE')).toBe(true);
    expect(nyseClosure(date)).toBeNull();
  });

  it('is closed at weekends and open on 24x7 every day', () => {
    expect(nyseClosure('2020-04-11')).toBe('weekend');
    expect(isTradingDay('2020-04-12', 'NYSE')).toBe(false);
    expect(isTradingDay('2020-04-11', '24x7')).toBe(true);
    expect(isTradingDay('2020-12-25', '24x7')).toBe(true);
  });

  // Published NYSE session counts, an independent check on the whole rule set.
  it.each([
    [2019, 252],
    [2020, 253],
    [2021, 252],
    [2022, 251],
    [2023, 250],
    [2024, 252],
    [2025, 250],
  ])('has the published number of sessions in %i (%i)', (year, count) => {
    expect(tradingDaysBetween(`${year}-01-01`, `${year}-12-31`, 'NYSE')).toHaveLength(count);
  });

  it('lists a year of holidays by name', () => {
    expect(nyseHolidays(2022).map((h) => h.date)).toEqual([
      '2022-01-17',
      '2022-02-21',
      '2022-04-15',
      '2022-05-30',
      '2022-06-20',
      '2022-07-04',
      '2022-09-05',
      '2022-11-24',
      '2022-12-26',
    ]);
  });
});

describe('addTradingDays', () => {
  it.each([
    // Good Friday 2020-04-10 skipped: without it the 10th session would be 04-17.
    ['2020-04-03', 10, '2020-04-20'],
    // 2020-04-17 + 10 spans no holiday: two plain weeks.
    ['2020-04-17', 10, '2020-05-01'],
    ['2020-06-26', 10, '2020-07-13'], // Independence Day observed Friday 07-03
    ['2020-11-20', 10, '2020-12-07'], // Thanksgiving
    ['2020-12-18', 10, '2021-01-05'], // Christmas and New Year's Day, both Fridays
    ['2021-12-23', 5, '2021-12-31'], // Christmas observed 12-24, no observance of New Year 2022
    ['2021-12-23', 6, '2022-01-03'],
    ['2022-06-16', 2, '2022-06-21'], // Juneteenth observed Monday 06-20
    ['2001-09-10', 1, '2001-09-17'], // closed four days after 9/11
    ['2012-10-26', 1, '2012-10-31'], // Hurricane Sandy
  ])('%s + %i NYSE sessions is %s', (from, n, expected) => {
    expect(addTradingDays(from, n, 'NYSE')).toBe(expected);
  });

  it('starts from a non-trading day', () => {
    expect(addTradingDays('2020-04-10', 1, 'NYSE')).toBe('2020-04-13');
    expect(addTradingDays('2020-04-11', 1, 'NYSE')).toBe('2020-04-13');
  });

  it('counts backwards for negative n and is the identity for 0', () => {
    expect(addTradingDays('2020-04-13', -1, 'NYSE')).toBe('2020-04-09');
    expect(addTradingDays('2020-04-11', 0, 'NYSE')).toBe('2020-04-11');
  });

  it('counts every calendar day on 24x7, across month ends and leap days', () => {
    expect(addTradingDays('2020-04-03', 10, '24x7')).toBe('2020-04-13');
    expect(addTradingDays('2020-02-25', 5, '24x7')).toBe('2020-03-01');
    expect(addTradingDays('2020-12-30', 3, '24x7')).toBe('2021-01-02');
  });

  it('rejects malformed dates and non-integer counts with the bad value in the message', () => {
    expect(() => addTradingDays('2021-02-30', 1, 'NYSE')).toThrow(/"2021-02-30"/);
    expect(() => addTradingDays('2021/02/03', 1, 'NYSE')).toThrow(/YYYY-MM-DD/);
    expect(() => addTradingDays('2021-02-03', 1.5, 'NYSE')).toThrow(/1\.5/);
    expect(() => isTradingDay('1961-06-01', 'NYSE')).toThrow(/1962 onward/);
  });

  it('agrees with tradingDaysBetween and inverts itself (property)', () => {
    const day = fc
      .integer({ min: Date.UTC(1962, 0, 1), max: Date.UTC(2030, 11, 31) })
      .map((ms) => new Date(ms - (ms % 86_400_000)).toISOString().slice(0, 10));
    fc.assert(
      fc.property(
        day,
        fc.integer({ min: 1, max: 60 }),
        fc.constantFrom('NYSE', '24x7' as const),
        (d, n, ex) => {
          const target = addTradingDays(d, n, ex);
          const sessions = tradingDaysBetween(d, target, ex).filter((s) => s > d);
          expect(sessions).toHaveLength(n);
          expect(sessions.at(-1)).toBe(target);
          if (isTradingDay(d, ex)) expect(addTradingDays(target, -n, ex)).toBe(d);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('tradingDaysBetween', () => {
  it('includes both ends and skips closures', () => {
    expect(tradingDaysBetween('2020-07-01', '2020-07-07', 'NYSE')).toEqual([
      '2020-07-01',
      '2020-07-02',
      '2020-07-06',
      '2020-07-07',
    ]);
    expect(tradingDaysBetween('2020-07-01', '2020-07-07', '24x7')).toHaveLength(7);
    expect(tradingDaysBetween('2020-07-07', '2020-07-01', 'NYSE')).toEqual([]);
  });
});

// Real Yahoo histories: every row must be a session and every session in range must have a row.
// GE's 1967–1969 rows cover the 1968 paperwork-crisis Wednesday closures.
describe.each([
  join(fixtureOhlc, 'SPY-20150224-20171229.csv'),
  join(fixtureOhlc, 'AAPL-20150902-20180119.csv'),
  join(fixtureOhlc, 'GE-19990701-20010629.csv'),
  join(fixtureCalendar, 'GE-19670103-19691231.csv'),
  join(fixtureOhlc, 'GOOG-20150902-20180119.csv'),
  join(fixtureOhlc, 'INTC-20011120-20040408.csv'),
])('NYSE calendar against %s', (path) => {
  it('matches the file session for session', () => {
    if (!existsSync(path)) throw new Error(`real price file missing: ${path}`);
    const dates = readFileSync(path, 'utf8')
      .trim()
      .split('\n')
      .slice(1)
      .map((line) => line.slice(0, 10));
    const first = dates[0];
    const last = dates.at(-1);
    if (!first || !last) throw new Error(`${path} has no rows`);
    const rowsOnClosedDays = dates
      .filter((d) => !isTradingDay(d, 'NYSE'))
      .map((d) => `${d} (${nyseClosure(d)})`);
    expect(rowsOnClosedDays).toEqual([]);
    const inFile = new Set(dates);
    const sessionsWithoutRow = tradingDaysBetween(first, last, 'NYSE').filter(
      (d) => !inFile.has(d),
    );
    expect(sessionsWithoutRow).toEqual([]);
  });
});
