/** The ISO date helpers: whole calendar days, whatever the host's time zone. */
import { afterEach, describe, expect, it } from 'vitest';
import { addDays, dayAfter, dayBefore, eachDate, isoDate } from '../../pipelines/calendar/dates.js';

const hostZone = process.env.TZ;

describe('ISO date helpers', () => {
  afterEach(() => {
    if (hostZone === undefined) delete process.env.TZ;
    else process.env.TZ = hostZone;
  });

  it.each(['UTC', 'America/New_York', 'America/Sao_Paulo', 'Pacific/Kiritimati', 'Asia/Kolkata'])(
    'moves across month ends, leap days and DST changes alike in %s',
    (zone) => {
      process.env.TZ = zone;
      expect(addDays('2020-02-28', 1)).toBe('2020-02-29');
      expect(addDays('2020-03-01', -1)).toBe('2020-02-29');
      expect(addDays('2020-03-08', 1)).toBe('2020-03-09');
      expect(addDays('2018-11-04', 1)).toBe('2018-11-05');
      expect(addDays('2021-01-10', -10)).toBe('2020-12-31');
      expect(dayBefore('2024-01-01')).toBe('2023-12-31');
      expect(dayAfter('2023-12-31')).toBe('2024-01-01');
      expect(isoDate(new Date(Date.UTC(2020, 0, 1, 23, 59)))).toBe('2020-01-01');
    },
  );

  it('lists every date of a range, both ends included, and none when it is reversed', () => {
    expect([...eachDate('2020-02-27', '2020-03-02')]).toEqual([
      '2020-02-27',
      '2020-02-28',
      '2020-02-29',
      '2020-03-01',
      '2020-03-02',
    ]);
    expect([...eachDate('2020-01-01', '2020-01-01')]).toEqual(['2020-01-01']);
    expect([...eachDate('2020-01-02', '2020-01-01')]).toEqual([]);
  });
});
