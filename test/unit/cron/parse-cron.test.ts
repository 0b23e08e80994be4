import { describe, expect, it } from 'vitest';
import { CRON_ERROR_CODES, isCronError, type CronErrorCode } from '../../../common/cron/cron-error.js';
import type { CronFieldName } from '../../../common/cron/cron-fields.js';
import { parseCron } from '../../../common/cron/parse-cron.js';

function values(expression: string, field: CronFieldName): number[] {
  const parsed = parseCron(expression);
  if (parsed.kind !== 'spec') throw new Error('not a spec schedule');
  const out: number[] = [];
  parsed.fields[field].matches.forEach((m, v) => m && out.push(v));
  return out;
}

describe('parseCron', () => {
  it('reads 5 fields with seconds at 0, and 6 fields with a leading seconds field', () => {
    expect(values('1 2 3 4 5', 'second')).toEqual([0]);
    expect(values('1 2 3 4 5', 'minute')).toEqual([1]);
    expect(values('9 1 2 3 4 5', 'second')).toEqual([9]);
    expect(values('9 1 2 3 4 5', 'dayOfWeek')).toEqual([5]);
  });

  it('reads lists, ranges, steps and "N/step" as "N-max/step"', () => {
    expect(values('1,5,7-9 * * * *', 'minute')).toEqual([1, 5, 7, 8, 9]);
    expect(values('10-20/5 * * * *', 'minute')).toEqual([10, 15, 20]);
    expect(values('0 20/2 * * *', 'hour')).toEqual([20, 22]);
  });

  it('reads month and weekday names in any case', () => {
    expect(values('0 0 * jan-Mar,DEC *', 'month')).toEqual([1, 2, 3, 12]);
    expect(values('0 0 * * sun,Fri-SAT', 'dayOfWeek')).toEqual([0, 5, 6]);
  });

  it('sets the star bit for * and ?, keeps it for */1 and clears it for larger steps', () => {
    const star = (expr: string) => {
      const p = parseCron(expr);
      return p.kind === 'spec' ? p.fields.dayOfMonth.star : undefined;
    };
    expect(star('0 0 * * *')).toBe(true);
    expect(star('0 0 ? * *')).toBe(true);
    expect(star('0 0 */1 * *')).toBe(true);
    expect(star('0 0 */2 * *')).toBe(false);
    expect(star('0 0 1-31 * *')).toBe(false);
  });

  it('reads the time zone prefix', () => {
    expect(parseCron('CRON_TZ=Europe/Paris 0 9 * * *').timezone).toBe('Europe/Paris');
    expect(parseCron('TZ=Asia/Tokyo @daily')).toMatchObject({ timezone: 'Asia/Tokyo', descriptor: '@daily' });
  });

  it('reads @every as whole seconds, at least one', () => {
    expect(parseCron('@every 1m30.5s')).toMatchObject({
      kind: 'every',
      everyMs: 90_000,
      duration: '1m30.5s',
    });
    expect(parseCron('@every 1ms')).toMatchObject({ everyMs: 1000 });
  });

  const bad: { expr: string; code: CronErrorCode; field?: CronFieldName; message: RegExp }[] = [
    { expr: '', code: 'CRON_EMPTY', message: /empty/ },
    { expr: '   ', code: 'CRON_EMPTY', message: /empty/ },
    { expr: '* * * *', code: 'CRON_FIELD_COUNT', message: /found 4/ },
    { expr: '0 0 0 * * * 2024', code: 'CRON_FIELD_COUNT', message: /year field/ },
    {
      expr: '0 0 32 * *',
      code: 'CRON_OUT_OF_RANGE',
      field: 'dayOfMonth',
      message: /day-of-month 32 .* 1-31/,
    },
    { expr: '60 * * * *', code: 'CRON_OUT_OF_RANGE', field: 'minute', message: /minute 60/ },
    { expr: '0 0 * * 7', code: 'CRON_OUT_OF_RANGE', field: 'dayOfWeek', message: /Sunday is 0/ },
    { expr: '0 24 * * *', code: 'CRON_OUT_OF_RANGE', field: 'hour', message: /hour 24/ },
    { expr: '0 0 0 * *', code: 'CRON_OUT_OF_RANGE', field: 'dayOfMonth', message: /day-of-month 0/ },
    { expr: '0 0 * 13 *', code: 'CRON_OUT_OF_RANGE', field: 'month', message: /month 13/ },
    { expr: '0 0 * * MON-FOO', code: 'CRON_BAD_VALUE', field: 'dayOfWeek', message: /"FOO"/ },
    { expr: 'MON * * * *', code: 'CRON_BAD_VALUE', field: 'minute', message: /not a number/ },
    { expr: '0 0 L * *', code: 'CRON_BAD_VALUE', field: 'dayOfMonth', message: /"L"/ },
    { expr: '0 0 * * 5#3', code: 'CRON_BAD_VALUE', field: 'dayOfWeek', message: /5#3/ },
    { expr: '0 , * * *', code: 'CRON_BAD_VALUE', field: 'hour', message: /no value/ },
    { expr: '0 22-2 * * *', code: 'CRON_BAD_RANGE', field: 'hour', message: /starts after it ends/ },
    { expr: '0 1-2-3 * * *', code: 'CRON_BAD_RANGE', field: 'hour', message: /more than one "-"/ },
    { expr: '*-5 * * * *', code: 'CRON_BAD_RANGE', field: 'minute', message: /combines/ },
    { expr: '*/0 * * * *', code: 'CRON_BAD_STEP', field: 'minute', message: /step of 0/ },
    { expr: '*/x * * * *', code: 'CRON_BAD_STEP', field: 'minute', message: /not a whole number/ },
    { expr: '1/2/3 * * * *', code: 'CRON_BAD_STEP', field: 'minute', message: /more than one "\/"/ },
    { expr: '@fortnightly', code: 'CRON_UNKNOWN_DESCRIPTOR', message: /@fortnightly/ },
    { expr: '@every', code: 'CRON_UNKNOWN_DESCRIPTOR', message: /@every <duration>/ },
    { expr: '@every 1d', code: 'CRON_BAD_DURATION', message: /days are not a unit/ },
    { expr: '@every  5s', code: 'CRON_BAD_DURATION', message: /" 5s"/ },
    { expr: 'TZ=Mars/Base 0 0 * * *', code: 'CRON_BAD_TIMEZONE', message: /unknown time zone "Mars\/Base"/ },
    { expr: 'CRON_TZ=utc 0 0 * * *', code: 'CRON_BAD_TIMEZONE', message: /write "UTC"/ },
    { expr: 'TZ=UTC', code: 'CRON_BAD_TIMEZONE', message: /one space/ },
    { expr: 'TZ= 0 0 * * *', code: 'CRON_BAD_TIMEZONE', message: /names no zone/ },
    { expr: '0 0 30 2 *', code: 'CRON_NEVER_FIRES', field: 'dayOfMonth', message: /never fires/ },
    { expr: '0 0 31 APR,JUN ?', code: 'CRON_NEVER_FIRES', message: /never fires/ },
  ];

  for (const { expr, code, field, message } of bad) {
    it(`refuses "${expr}" with ${code}`, () => {
      let caught: unknown;
      try {
        parseCron(expr);
      } catch (err) {
        caught = err;
      }
      expect(isCronError(caught)).toBe(true);
      const err = caught as { code: string; message: string; context: { field?: string; hint: string } };
      expect(err.code).toBe(code);
      expect(err.message).toMatch(message);
      expect(err.message).toContain(`cron "${expr}"`);
      expect(err.context.hint.length).toBeGreaterThan(10);
      if (field) expect(err.context.field).toBe(field);
    });
  }

  it('covers every error code that parsing can raise', () => {
    const raisedByOthers: CronErrorCode[] = [
      'CRON_TIMEZONE_CONFLICT',
      'CRON_ANCHOR_REQUIRED',
      'CRON_BAD_ARGUMENT',
    ];
    const tested = new Set(bad.map((b) => b.code));
    expect(CRON_ERROR_CODES.filter((c) => !tested.has(c) && !raisedByOthers.includes(c))).toEqual([]);
  });

  it('accepts Feb 29 and the 31st OR a weekday, which do fire', () => {
    expect(() => parseCron('0 0 29 2 *')).not.toThrow();
    expect(() => parseCron('0 0 31 4 MON')).not.toThrow();
  });
});
