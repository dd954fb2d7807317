/**
 * Trading-session calendars. Dates are ISO `YYYY-MM-DD` strings and every computation is on UTC day
 * numbers, so the host's time zone can never shift a date.
 *
 * NYSE rules are written here rather than taken from npm: the only NYSE package (`nyse-holidays`,
 * one release) has none of the one-off closures (1968 paperwork crisis, 9/11, Sandy, state funerals)
 * that real price files show, and works on local-time dayjs objects.
 */

import { isoDate } from './dates.js';

export type Exchange = 'NYSE' | '24x7';

/** Earliest year the NYSE rules below are right for (the GE history starts in 1962). */
export const NYSE_FIRST_YEAR = 1962;

const DAY_MS = 86_400_000;
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
// Yahoo names crypto pairs BASE-QUOTE (BTC-USD); share classes like BRK-B never end in a currency.
const CRYPTO_PAIR = /^[A-Z0-9]{2,15}-(USD|USDT|USDC|EUR|GBP|JPY|CAD|AUD|BTC|ETH)$/;

export function exchangeFor(ticker: string): Exchange {
  return CRYPTO_PAIR.test(ticker.trim().toUpperCase()) ? '24x7' : 'NYSE';
}

/** Days since 1970-01-01 for a strictly valid ISO date; throws naming the bad input otherwise. */
function toDay(date: string): number {
  const m = ISO_DATE.exec(date);
  if (m) {
    const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
    const ms = Date.UTC(y, mo - 1, d);
    // Date.UTC rolls 2021-02-30 over to March; a round trip catches that.
    if (fromDay(ms / DAY_MS) === date) return ms / DAY_MS;
  }
  throw new RangeError(`invalid date "${date}": expected a real calendar date as YYYY-MM-DD`);
}

/** True for a real calendar date written as YYYY-MM-DD (2020-02-30 and 2020-13-45 are not). */
export function isCalendarDate(date: string): boolean {
  try {
    toDay(date);
    return true;
  } catch {
    return false;
  }
}

function fromDay(day: number): string {
  return isoDate(new Date(day * DAY_MS));
}

function dayOf(y: number, month: number, d: number): number {
  return Date.UTC(y, month - 1, d) / DAY_MS;
}

/** 0 = Sunday … 6 = Saturday; 1970-01-01 was a Thursday. */
function weekday(day: number): number {
  return (((day + 4) % 7) + 7) % 7;
}

/** The n-th (1-based) given weekday of a month, or the last one when n is -1. */
function nthWeekday(y: number, month: number, wd: number, n: number): number {
  if (n === -1) {
    const last = dayOf(y, month + 1, 0);
    return last - ((weekday(last) - wd + 7) % 7);
  }
  const first = dayOf(y, month, 1);
  return first + ((wd - weekday(first) + 7) % 7) + 7 * (n - 1);
}

/** Saturday holidays are observed on Friday, Sunday holidays on Monday. */
function nearestWeekday(day: number): number {
  const wd = weekday(day);
  return wd === 6 ? day - 1 : wd === 0 ? day + 1 : day;
}

/** Gregorian Easter Sunday (anonymous Gregorian algorithm, Meeus/Jones/Butcher). */
function easter(y: number): number {
  const a = y % 19;
  const b = Math.floor(y / 100);
  const c = y % 100;
  const d = Math.floor(b / 4);
  const e = b % 4;
  const f = Math.floor((b + 8) / 25);
  const g = Math.floor((b - f + 1) / 3);
  const h = (19 * a + b - d - g + 15) % 30;
  const i = Math.floor(c / 4);
  const k = c % 4;
  const l = (32 + 2 * e + 2 * i - h - k) % 7;
  const m = Math.floor((a + 11 * h + 22 * l) / 451);
  const month = Math.floor((h + l - 7 * m + 114) / 31);
  const dd = ((h + l - 7 * m + 114) % 31) + 1;
  return dayOf(y, month, dd);
}

export interface Holiday {
  date: string;
  name: string;
}

/**
 * The back-office "paperwork crisis": from 1968-06-12 to year end the NYSE shut every Wednesday,
 * except in weeks that already had a holiday. Listed explicitly (GE's 1968 rows match exactly)
 * rather than generated, because the skipped weeks were the exchange's choice, not a rule.
 */
function paperworkCrisisWednesdays(): Holiday[] {
  const days = ['06-12', '06-19', '06-26', '07-10', '07-17', '07-24', '07-31', '08-07', '08-14'];
  days.push('08-21', '08-28', '09-11', '09-18', '09-25', '10-02', '10-09', '10-16', '10-23');
  days.push('10-30', '11-20', '12-04', '12-11', '12-18');
  return days.map((d) => ({ date: `1968-${d}`, name: 'Paperwork crisis (Wednesday closure)' }));
}

/** One-off weekday closures since 1962 (NYSE's own history of closings; checked against GE/SPY/AAPL). */
const NYSE_SPECIAL_CLOSURES: readonly Holiday[] = [
  { date: '1963-11-25', name: 'Funeral of President Kennedy' },
  { date: '1968-02-12', name: "Lincoln's Birthday (1968 only)" },
  { date: '1968-04-09', name: 'Day of mourning for Martin Luther King Jr.' },
  { date: '1968-07-05', name: 'Day after Independence Day (1968)' },
  ...paperworkCrisisWednesdays(),
  { date: '1968-11-11', name: 'Veterans Day (1968 only)' },
  { date: '1969-02-10', name: 'Snowstorm' },
  { date: '1969-03-31', name: 'Funeral of President Eisenhower' },
  { date: '1969-07-21', name: 'Apollo 11 moon landing' },
  { date: '1972-12-28', name: 'Funeral of President Truman' },
  { date: '1973-01-25', name: 'Funeral of President Johnson' },
  { date: '1977-07-14', name: 'New York City blackout' },
  { date: '1985-09-27', name: 'Hurricane Gloria' },
  { date: '1994-04-27', name: 'Funeral of President Nixon' },
  { date: '2001-09-11', name: 'September 11 attacks' },
  { date: '2001-09-12', name: 'September 11 attacks' },
  { date: '2001-09-13', name: 'September 11 attacks' },
  { date: '2001-09-14', name: 'September 11 attacks' },
  { date: '2004-06-11', name: 'Funeral of President Reagan' },
  { date: '2007-01-02', name: 'National day of mourning for President Ford' },
  { date: '2012-10-29', name: 'Hurricane Sandy' },
  { date: '2012-10-30', name: 'Hurricane Sandy' },
  { date: '2018-12-05', name: 'National day of mourning for President George H. W. Bush' },
  { date: '2025-01-09', name: 'National day of mourning for President Carter' },
];

function regularHolidays(y: number): Holiday[] {
  const out: [number, string][] = [];
  // NYSE Rule 7.2: a Saturday holiday moves to Friday unless that Friday ends an accounting period,
  // which in practice means New Year's Day on a Saturday is not observed at all (2021-12-31 traded).
  const newYear = dayOf(y, 1, 1);
  if (weekday(newYear) !== 6) out.push([nearestWeekday(newYear), "New Year's Day"]);
  if (y >= 1998) out.push([nthWeekday(y, 1, 1, 3), 'Martin Luther King Jr. Day']);
  // The Uniform Monday Holiday Act moved Washington's Birthday and Memorial Day to Mondays from 1971.
  out.push([
    y >= 1971 ? nthWeekday(y, 2, 1, 3) : nearestWeekday(dayOf(y, 2, 22)),
    "Washington's Birthday",
  ]);
  out.push([easter(y) - 2, 'Good Friday']);
  const memorial = y >= 1971 ? nthWeekday(y, 5, 1, -1) : memorialDayBefore1971(y);
  if (memorial !== null) out.push([memorial, 'Memorial Day']);
  if (y >= 2022) out.push([nearestWeekday(dayOf(y, 6, 19)), 'Juneteenth']);
  out.push([nearestWeekday(dayOf(y, 7, 4)), 'Independence Day']);
  out.push([nthWeekday(y, 9, 1, 1), 'Labor Day']);
  // Every Election Day through 1968, then presidential elections only until 1980.
  if (y <= 1968 || y === 1972 || y === 1976 || y === 1980) {
    out.push([nthWeekday(y, 11, 1, 1) + 1, 'Election Day']);
  }
  out.push([nthWeekday(y, 11, 4, 4), 'Thanksgiving Day']);
  out.push([nearestWeekday(dayOf(y, 12, 25)), 'Christmas Day']);
  return out.map(([day, name]) => ({ date: fromDay(day), name }));
}

/**
 * May 30. From 1964 to 1969 a weekend date moved to the nearest weekday; in 1970 the Saturday holiday
 * was not moved (GE traded on Friday 1970-05-29) and earlier only Sunday moved to Monday.
 */
function memorialDayBefore1971(y: number): number | null {
  const day = dayOf(y, 5, 30);
  if (y >= 1964 && y <= 1969) return nearestWeekday(day);
  return weekday(day) === 6 ? null : nearestWeekday(day);
}

const holidayCache = new Map<number, Map<string, string>>();

function holidaysOfYear(y: number): Map<string, string> {
  let hit = holidayCache.get(y);
  if (!hit) {
    // Next year's list too: an observance can move back across New Year (Jan 1 to Dec 31).
    const candidates = [...regularHolidays(y), ...regularHolidays(y + 1), ...NYSE_SPECIAL_CLOSURES];
    hit = new Map(
      candidates.filter((h) => h.date.startsWith(`${y}-`)).map((h) => [h.date, h.name]),
    );
    holidayCache.set(y, hit);
  }
  return hit;
}

function checkNyseYear(y: number, date: string): void {
  if (y < NYSE_FIRST_YEAR) {
    throw new RangeError(
      `NYSE calendar covers ${NYSE_FIRST_YEAR} onward (Saturday sessions and older holidays are not modelled); got ${date}`,
    );
  }
}

/** Weekday NYSE closures of a year (regular holidays and one-off closures), in date order. */
export function nyseHolidays(year: number): Holiday[] {
  if (!Number.isInteger(year)) throw new RangeError(`year must be an integer, got ${year}`);
  checkNyseYear(year, String(year));
  return [...holidaysOfYear(year)]
    .map(([date, name]) => ({ date, name }))
    .filter((h) => {
      const wd = weekday(toDay(h.date));
      return wd !== 0 && wd !== 6;
    })
    .sort((a, b) => a.date.localeCompare(b.date));
}

/** Why NYSE is closed on a date (weekend or holiday name), or null when it is a session. */
export function nyseClosure(date: string): string | null {
  const day = toDay(date);
  const y = Number(date.slice(0, 4));
  checkNyseYear(y, date);
  const wd = weekday(day);
  if (wd === 0 || wd === 6) return 'weekend';
  return holidaysOfYear(y).get(date) ?? null;
}

function isSession(day: number, ex: Exchange): boolean {
  return ex === '24x7' || nyseClosure(fromDay(day)) === null;
}

export function isTradingDay(date: string, ex: Exchange): boolean {
  return isSession(toDay(date), ex);
}

/**
 * The n-th session after `date` (before it when n < 0); `date` itself need not be a session.
 * n = 0 returns `date` unchanged.
 */
export function addTradingDays(date: string, n: number, ex: Exchange): string {
  if (!Number.isSafeInteger(n))
    throw new RangeError(`trading-day count must be an integer, got ${n}`);
  let day = toDay(date);
  const step = Math.sign(n);
  for (let left = Math.abs(n); left > 0;) {
    day += step;
    if (isSession(day, ex)) left -= 1;
  }
  return fromDay(day);
}

/** Sessions from `from` to `to`, both ends included when they are sessions; [] when from > to. */
export function tradingDaysBetween(from: string, to: string, ex: Exchange): string[] {
  const end = toDay(to);
  const out: string[] = [];
  for (let day = toDay(from); day <= end; day += 1) {
    if (isSession(day, ex)) out.push(fromDay(day));
  }
  return out;
}
