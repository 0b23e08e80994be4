/** The cron parse check is the schedules' own parser (common/cron): robfig/cron v3 as Chaos Mesh configures it. */
import { describe, expect, it } from 'vitest';
import { checkCron } from '../../../manifests/cron-check.js';

describe('checkCron', () => {
  it.each([
    '*/5 * * * *',
    '0 9 * * MON-FRI',
    '0 0 1 jan,jul ?',
    '*/10 * * * * *',
    '30 5/15 * * * *',
    '0 0 * * 0-6',
    '@every 5s',
    '@every 1h30m',
    '@hourly',
    '@midnight',
    '@annually',
    'TZ=Europe/Paris 0 9 * * *',
    'CRON_TZ=America/New_York @daily',
    '  0 0 * * *  ',
  ])('accepts %s', (expression) => {
    expect(checkCron(expression)).toBeUndefined();
  });

  it.each([
    ['', /empty/],
    ['* * *', /5 fields .* found 3/],
    ['* * * * * * *', /found 7/],
    ['61 * * * *', /minute 61 .* out of range 0-59/],
    ['0 24 * * *', /hour 24 .* out of range 0-23/],
    ['0 0 0 * *', /day-of-month 0 .* out of range 1-31/],
    ['0 0 * 13 *', /month/],
    ['0 0 * * 7', /day-of-week 7 .* out of range 0-6/],
    ['0 0 L * *', /not a number/],
    ['0 0 1W * *', /not a number/],
    ['0 0 * * MON#1', /not a number/],
    ['5-1 * * * *', /starts after it ends/],
    ['*/0 * * * *', /step/],
    ['1-2-3 * * * *', /more than one "-"/],
    ['@every', /unknown descriptor/],
    ['@every 5 minutes', /Go duration/],
    ['@every 0s', /positive/],
    ['0 0 30 2 *', /never fires/],
    ['@weekdays', /unknown descriptor/],
    ['TZ=Mars/Base 0 0 * * *', /unknown time zone/],
    ['TZ=UTC', /not followed by a schedule/],
  ])('rejects %j', (expression, message) => {
    expect(checkCron(expression)?.message).toMatch(message);
  });
});
