import { describe, expect, it } from 'vitest';
import { resilienceScore, successPercentage } from '../../../report/resilience-score.js';

describe('resilience score', () => {
  it('is the weighted mean of the probes’ success percentages', () => {
    const score = resilienceScore([
      { id: 'a', weight: 1, successes: 4, total: 4 },
      { id: 'b', weight: 3, successes: 1, total: 2 },
    ]);
    expect(score).toEqual({ value: 62.5, weightTotal: 4, probes: 2 });
  });

  it('leaves out probes without results and is undefined when none has one', () => {
    expect(
      resilienceScore([
        { id: 'a', weight: 5, successes: 0, total: 0 },
        { id: 'b', weight: 1, successes: 0, total: 3 },
      ]),
    ).toEqual({ value: 0, weightTotal: 1, probes: 1 });
    expect(resilienceScore([{ id: 'a', weight: 1, successes: 0, total: 0 }]).value).toBeUndefined();
    expect(resilienceScore([]).value).toBeUndefined();
  });

  it('is undefined when every weight is zero, rather than dividing by zero', () => {
    expect(resilienceScore([{ id: 'a', weight: 0, successes: 1, total: 1 }]).value).toBeUndefined();
  });

  it('rounds to one decimal', () => {
    expect(resilienceScore([{ id: 'a', weight: 1, successes: 1, total: 3 }]).value).toBe(33.3);
    expect(successPercentage({ successes: 1, total: 3 })).toBeCloseTo(33.333, 2);
  });
});
