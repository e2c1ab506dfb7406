import { afterEach, describe, expect, it } from 'vitest';
import {
  addDays,
  atLocalTime,
  daysBetween,
  deadlineEnd,
  formatLocal,
  isOnTime,
  localDateOf,
  parseInstant,
} from '../../functions/shared/domain/calendar/calendar.ts';
import { fixedClock, simulatedClock } from '../../functions/shared/domain/calendar/clock.ts';

const SH = 'Asia/Shanghai';
const at = (iso: string) => {
  const parsed = parseInstant(iso);
  if (!parsed) throw new Error(`bad test instant ${iso}`);
  return parsed;
};

describe('deadlines on the campaign clock', () => {
  const originalTz = process.env.TZ;
  afterEach(() => {
    process.env.TZ = originalTz;
  });

  it('"by 2018-01-19" ends at 2018-01-20 00:00 Asia/Shanghai', () => {
    expect(deadlineEnd('2018-01-19', SH).toISOString()).toBe('2018-01-19T16:00:00.000Z');
  });

  it('a filing at 23:30 on the due day is on time; one at 00:10 the next day is late', () => {
    expect(isOnTime(at('2018-03-31T23:30:00+08:00'), '2018-03-31', SH)).toBe(true);
    expect(isOnTime(at('2018-04-01T00:10:00+08:00'), '2018-03-31', SH)).toBe(false);
    expect(isOnTime(at('2018-03-31T23:59:59.999+08:00'), '2018-03-31', SH)).toBe(true);
    expect(isOnTime(at('2018-04-01T00:00:00+08:00'), '2018-03-31', SH)).toBe(false);
  });

  it.each(['UTC', 'Asia/Shanghai', 'America/New_York', 'Pacific/Kiritimati'])(
    'gives the same answers when the process runs in %s',
    (tz) => {
      process.env.TZ = tz;
      expect(Intl.DateTimeFormat().resolvedOptions().timeZone).toBe(tz);
      expect(deadlineEnd('2018-03-31', SH).toISOString()).toBe('2018-03-31T16:00:00.000Z');
      expect(localDateOf(at('2018-03-31T16:30:00Z'), SH)).toBe('2018-04-01');
      expect(formatLocal(at('2018-01-19T09:30:00Z'), SH)).toBe('2018-01-19 17:30');
      expect(atLocalTime('2018-01-18', '08:00', SH).toISOString()).toBe('2018-01-18T00:00:00.000Z');
    },
  );
});

describe('calendar arithmetic', () => {
  it('counts days across month ends and leap days', () => {
    expect(daysBetween('2018-01-31', '2018-02-01')).toBe(1);
    expect(daysBetween('2018-02-28', '2018-03-01')).toBe(1);
    expect(daysBetween('2020-02-28', '2020-03-01')).toBe(2);
    expect(daysBetween('2018-03-31', '2018-01-19')).toBe(-71);
    expect(addDays('2020-02-28', 1)).toBe('2020-02-29');
    expect(addDays('2018-12-31', 1)).toBe('2019-01-01');
    expect(addDays('2018-03-01', -1)).toBe('2018-02-28');
  });

  it('finds D-1 at 08:00 before a deadline', () => {
    const dayBefore = addDays('2018-01-19', -1);
    expect(atLocalTime(dayBefore, '08:00', SH).toISOString()).toBe('2018-01-18T00:00:00.000Z');
    expect(atLocalTime('2020-02-29', '08:00', SH).toISOString()).toBe('2020-02-29T00:00:00.000Z');
  });

  it('names the campaign day of an instant, not the UTC day', () => {
    expect(localDateOf(at('2018-01-19T15:59:59Z'), SH)).toBe('2018-01-19');
    expect(localDateOf(at('2018-01-19T16:00:00Z'), SH)).toBe('2018-01-20');
  });

  it('refuses date-times without an offset at the boundaries', () => {
    expect(parseInstant('2018-01-19T10:00')).toBeNull();
    expect(parseInstant('2018-01-19T10:00:00')).toBeNull();
    expect(parseInstant('2018-01-19')).toBeNull();
    expect(parseInstant('2018-02-30T10:00:00+08:00')).toBeNull();
    expect(parseInstant('2018-01-19T10:00:00+08:00')?.toISOString()).toBe('2018-01-19T02:00:00.000Z');
    expect(parseInstant('2018-01-19T02:00:00Z')?.toISOString()).toBe('2018-01-19T02:00:00.000Z');
  });

  it('refuses a malformed local date loudly', () => {
    expect(() => deadlineEnd('2018-1-9', SH)).toThrow(RangeError);
  });
});

describe('clocks', () => {
  it('a fixed clock stands still and hands out copies', () => {
    const clock = fixedClock(at('2018-01-10T08:00:00+08:00'));
    const first = clock.now();
    first.setFullYear(1999);
    expect(clock.now().toISOString()).toBe('2018-01-10T00:00:00.000Z');
  });

  it('a simulated clock starts where asked and runs at real speed', () => {
    let real = 1_700_000_000_000;
    const clock = simulatedClock(at('2018-01-10T08:00:00+08:00'), () => real);
    expect(clock.now().toISOString()).toBe('2018-01-10T00:00:00.000Z');
    real += 90_000;
    expect(clock.now().toISOString()).toBe('2018-01-10T00:01:30.000Z');
  });

  it('a sped-up simulated clock passes a day in a minute at 1440×', () => {
    let real = 1_700_000_000_000;
    const clock = simulatedClock(at('2018-01-10T08:00:00+08:00'), () => real, 1440);
    real += 60_000;
    expect(clock.now().toISOString()).toBe('2018-01-11T00:00:00.000Z');
  });
});
