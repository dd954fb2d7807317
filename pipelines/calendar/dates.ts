/**
 * ISO dates (`YYYY-MM-DD`) and calendar-day arithmetic on them, in UTC so the host's time zone can
 * never shift a date. (date-fns computes in the host's zone unless given a UTC context from
 * `@date-fns/utc`; plain UTC Date methods are enough for whole days.)
 */

/** The UTC calendar date of an instant. */
export function isoDate(instant: Date): string {
  return instant.toISOString().slice(0, 10);
}

/** `date` moved by `days` calendar days (back when negative). */
export function addDays(date: string, days: number): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return isoDate(d);
}

export function dayBefore(date: string): string {
  return addDays(date, -1);
}

export function dayAfter(date: string): string {
  return addDays(date, 1);
}

/** Every calendar date from `from` to `to`, both included, in order; none when from > to. */
export function* eachDate(from: string, to: string): Generator<string> {
  for (let date = from; date <= to; date = dayAfter(date)) yield date;
}
