import { describe, expect, it } from 'vitest';
import { countForMode, selectByMode } from '../../../common/selection/select-by-mode.js';
import type { RandomSource } from '../../../common/selection/pod-selector.js';
import { seededRandom } from '../../harness/seeded-random.js';

const seeded = (seed: number): RandomSource => seededRandom(seed);

/** A source that returns the given numbers in turn. */
function sequence(...values: number[]): RandomSource {
  let i = 0;
  return () => values[i++ % values.length] ?? 0;
}

const noRandom: RandomSource = () => {
  throw new Error('no random number expected');
};

const items = (n: number) => Array.from({ length: n }, (_, i) => `pod-${i}`);

describe('countForMode', () => {
  it('one selects one pod, all selects every pod', () => {
    expect(countForMode('one', undefined, 5, noRandom).count).toBe(1);
    expect(countForMode('all', undefined, 5, noRandom).count).toBe(5);
  });

  it('fixed selects value pods, capped at the number matched', () => {
    expect(countForMode('fixed', '2', 5, noRandom).count).toBe(2);
    expect(countForMode('fixed', '9', 5, noRandom).count).toBe(5);
  });

  it('fixed refuses 0, negative, fractional and missing values', () => {
    for (const value of ['0', '-1', '1.5', 'two', '', undefined]) {
      expect(() => countForMode('fixed', value, 5, noRandom)).toThrow(
        expect.objectContaining({ code: 'SELECTOR_BAD_VALUE' }),
      );
    }
  });

  it('fixed-percent rounds up, so it selects at least one pod', () => {
    expect(countForMode('fixed-percent', '1', 3, noRandom).count).toBe(1);
    expect(countForMode('fixed-percent', '33', 3, noRandom).count).toBe(1);
    expect(countForMode('fixed-percent', '34', 3, noRandom).count).toBe(2);
    expect(countForMode('fixed-percent', '50', 3, noRandom).count).toBe(2);
    expect(countForMode('fixed-percent', '100', 3, noRandom).count).toBe(3);
    expect(countForMode('fixed-percent', '1', 1000, noRandom).count).toBe(10);
    expect(countForMode('fixed-percent', '33', 1000, noRandom).count).toBe(330);
  });

  it('fixed-percent and random-max-percent refuse values outside 1..100', () => {
    for (const mode of ['fixed-percent', 'random-max-percent'] as const) {
      for (const value of ['0', '101', '-5', '50%', undefined]) {
        expect(() => countForMode(mode, value, 3, () => 0.5)).toThrow(
          expect.objectContaining({ code: 'SELECTOR_BAD_VALUE' }),
        );
      }
    }
  });

  it('random-max-percent draws a whole percentage in 0..value inclusive, then rounds up', () => {
    // value 50: 51 possible draws; r = 0 -> 0 %, r just under 1 -> 50 %.
    expect(countForMode('random-max-percent', '50', 10, () => 0)).toEqual({ count: 0, drawnPercent: 0 });
    expect(countForMode('random-max-percent', '50', 10, () => 0.9999)).toEqual({
      count: 5,
      drawnPercent: 50,
    });
    // 1 % of 10 pods rounds up to one pod.
    expect(countForMode('random-max-percent', '50', 10, () => 1.5 / 51)).toEqual({
      count: 1,
      drawnPercent: 1,
    });
    expect(countForMode('random-max-percent', '100', 3, () => 0.9999)).toEqual({
      count: 3,
      drawnPercent: 100,
    });
  });

  it('refuses an unknown mode', () => {
    expect(() => countForMode('some' as never, undefined, 3, noRandom)).toThrow(
      expect.objectContaining({ code: 'SELECTOR_BAD_MODE' }),
    );
  });
});

describe('selectByMode', () => {
  it('refuses to select from nothing, in every mode', () => {
    for (const mode of ['one', 'all', 'fixed', 'fixed-percent', 'random-max-percent'] as const) {
      expect(() => selectByMode([], mode, '50', () => 0.5)).toThrow(
        expect.objectContaining({ code: 'SELECTOR_NO_MATCH' }),
      );
    }
  });

  it('returns every item, in order and without drawing, when the mode asks for all of them', () => {
    expect(selectByMode(items(3), 'all', undefined, noRandom).selected).toEqual(items(3));
    expect(selectByMode(items(3), 'fixed', '7', noRandom).selected).toEqual(items(3));
    expect(selectByMode(items(3), 'fixed-percent', '100', noRandom).selected).toEqual(items(3));
    expect(selectByMode(items(1), 'one', undefined, noRandom).selected).toEqual(items(1));
  });

  it('picks distinct items, returned in input order', () => {
    const { selected } = selectByMode(items(10), 'fixed', '4', seeded(7));
    expect(selected).toHaveLength(4);
    expect(new Set(selected).size).toBe(4);
    expect([...selected].sort((a, b) => Number(a.slice(4)) - Number(b.slice(4)))).toEqual(selected);
  });

  it('uses the random source to choose: one with r = 0.75 of 4 items takes the fourth', () => {
    expect(selectByMode(items(4), 'one', undefined, sequence(0.75)).selected).toEqual(['pod-3']);
    expect(selectByMode(items(4), 'one', undefined, sequence(0)).selected).toEqual(['pod-0']);
  });

  it('is deterministic for a given seed and differs across seeds', () => {
    const run = (seed: number) => selectByMode(items(20), 'fixed-percent', '25', seeded(seed)).selected;
    expect(run(42)).toEqual(run(42));
    expect(run(42)).toHaveLength(5);
    const distinct = new Set([1, 2, 3, 4, 5, 6].map((s) => run(s).join(',')));
    expect(distinct.size).toBeGreaterThan(1);
  });

  it('selects nothing, and says what it drew, when random-max-percent draws 0', () => {
    expect(selectByMode(items(5), 'random-max-percent', '40', () => 0)).toEqual({
      selected: [],
      drawnPercent: 0,
    });
  });

  it('keeps a random source that returns 1 or NaN in range', () => {
    expect(selectByMode(items(3), 'one', undefined, () => 1).selected).toEqual(['pod-2']);
    expect(selectByMode(items(3), 'one', undefined, () => Number.NaN).selected).toEqual(['pod-0']);
  });

  it('spreads one-pod choices over every item', () => {
    const random = seeded(1);
    const seen = new Set<string>();
    for (let i = 0; i < 200; i++)
      seen.add(selectByMode(items(5), 'one', undefined, random).selected[0] ?? '');
    expect(seen).toEqual(new Set(items(5)));
  });
});
