import { describe, expect, it } from 'vitest';
import { parseLeaseDuration } from '../../../agent/lease-duration.js';

describe('parseLeaseDuration', () => {
  it('takes Go durations from 1s to 24h', () => {
    expect(parseLeaseDuration('1s')).toBe(1_000);
    expect(parseLeaseDuration('60s')).toBe(60_000);
    expect(parseLeaseDuration('1h30m')).toBe(5_400_000);
    expect(parseLeaseDuration('24h')).toBe(86_400_000);
  });

  it('says what is wrong with anything else', () => {
    expect(parseLeaseDuration('soon')).toBe('"soon" is not a duration; write it like 60s, 5m or 1h30m');
    expect(parseLeaseDuration('60')).toMatch(/is not a duration/);
    expect(parseLeaseDuration('999ms')).toBe('"999ms" is out of range: a lease lasts from 1s to 24h');
    expect(parseLeaseDuration('24h1s')).toMatch(/out of range/);
    expect(parseLeaseDuration('-5s')).toMatch(/out of range/);
  });
});
