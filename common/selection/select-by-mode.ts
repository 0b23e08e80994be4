/**
 * How many of the matched pods to act on, with Chaos Mesh's semantics (`pkg/selector/generic/mode.go` since
 * chaos-mesh#3036, which replaced rounding down by rounding up):
 *
 * - `one`: one pod at random. `all`: every pod.
 * - `fixed`: `value` pods (an integer > 0), capped at the number matched.
 * - `fixed-percent`: ceil(matched × value / 100) pods, value 1..100; so at least one (1% of 3 pods = 1 pod,
 *   33% of 3 = 1, 34% of 3 = 2, 100% = all).
 * - `random-max-percent`: draw a whole percentage uniformly in 0..value (inclusive), then ceil(matched × drawn /
 *   100) pods. A draw of 0 selects nothing: Chaos Mesh then injects nothing (the run is a no-op), and so does
 *   chaosflow; the drawn percentage is returned so status can show why.
 * - Zero matched pods is an error in every mode ("no pod is selected" in Chaos Mesh).
 *
 * The pods are picked with a partial Fisher-Yates shuffle driven by the injected random source and returned in
 * their input order: the same input and the same random numbers always give the same choice.
 */
import type { RandomSource, SelectorMode } from './pod-selector.js';
import { SELECTOR_MODES } from './pod-selector.js';
import { SelectionError } from './selection-error.js';

export interface ModeSelection<T> {
  selected: T[];
  /** random-max-percent only: the percentage drawn in 0..value. */
  drawnPercent?: number;
}

/** Go's strconv.Atoi, which Chaos Mesh uses on `value`: optional sign, decimal digits, nothing else. */
function atoi(value: string | undefined): number | undefined {
  if (value === undefined || !/^[+-]?\d+$/.test(value)) return undefined;
  return Number(value);
}

function pick(random: RandomSource, n: number): number {
  const r = random();
  const i = Math.floor((Number.isFinite(r) ? r : 0) * n);
  return Math.min(n - 1, Math.max(0, i));
}

/** The number of items a mode asks for, after validating `value`; `random` is used by random-max-percent only. */
export function countForMode(
  mode: SelectorMode,
  value: string | undefined,
  matched: number,
  random: RandomSource,
): { count: number; drawnPercent?: number } {
  const percent = (what: string): number => {
    const p = atoi(value);
    if (p === undefined || p < 1 || p > 100) {
      throw new SelectionError(
        'SELECTOR_BAD_VALUE',
        `mode ${mode} needs value to be ${what} from 1 to 100, got ${value === undefined ? 'none' : `"${value}"`}.`,
        { mode, value: value ?? '' },
      );
    }
    return p;
  };
  switch (mode) {
    case 'one':
      return { count: Math.min(1, matched) };
    case 'all':
      return { count: matched };
    case 'fixed': {
      const n = atoi(value);
      if (n === undefined || n <= 0) {
        throw new SelectionError(
          'SELECTOR_BAD_VALUE',
          `mode fixed needs value to be a whole number of pods above 0, got ${value === undefined ? 'none' : `"${value}"`}.`,
          { mode, value: value ?? '' },
        );
      }
      return { count: Math.min(n, matched) };
    }
    case 'fixed-percent': {
      const p = percent('a whole percentage');
      return { count: Math.ceil((matched * p) / 100) };
    }
    case 'random-max-percent': {
      const max = percent('a whole maximum percentage');
      const drawnPercent = pick(random, max + 1);
      return { count: Math.ceil((matched * drawnPercent) / 100), drawnPercent };
    }
    default:
      throw new SelectionError(
        'SELECTOR_BAD_MODE',
        `mode "${String(mode)}" is not supported. Use one of ${SELECTOR_MODES.join(', ')}.`,
        { mode: String(mode) },
      );
  }
}

export function selectByMode<T>(
  items: readonly T[],
  mode: SelectorMode,
  value: string | undefined,
  random: RandomSource,
): ModeSelection<T> {
  if (items.length === 0) {
    throw new SelectionError('SELECTOR_NO_MATCH', 'nothing to select from: no pod matches the selector.');
  }
  const { count, drawnPercent } = countForMode(mode, value, items.length, random);
  const extra = drawnPercent === undefined ? {} : { drawnPercent };
  if (count >= items.length) return { selected: [...items], ...extra };
  const indexes = items.map((_, i) => i);
  for (let i = 0; i < count; i++) {
    const j = i + pick(random, indexes.length - i);
    [indexes[i], indexes[j]] = [indexes[j] as number, indexes[i] as number];
  }
  const chosen = indexes.slice(0, count).sort((a, b) => a - b);
  return { selected: chosen.map((i) => items[i] as T), ...extra };
}
