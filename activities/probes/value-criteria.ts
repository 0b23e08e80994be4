/**
 * Whether a probed value satisfies a probe's criteria (`equals`, `contains`, `matches`, a numeric `compare`,
 * `between`): every given comparator must hold. Numeric comparators need a number: a value that is not one fails
 * them, saying so.
 */
import type { PlanValueCriteria } from '../../common/plan.js';

export type Verdict = { ok: true } | { ok: false; why: string };

export function checkValue(value: string, criteria: PlanValueCriteria | undefined): Verdict {
  if (!criteria) return { ok: true };
  const shown = JSON.stringify(value.length > 80 ? `${value.slice(0, 80)}…` : value);
  if (criteria.equals !== undefined && value !== criteria.equals) {
    return { ok: false, why: `${shown} is not ${JSON.stringify(criteria.equals)}` };
  }
  if (criteria.contains !== undefined && !value.includes(criteria.contains)) {
    return { ok: false, why: `${shown} does not contain ${JSON.stringify(criteria.contains)}` };
  }
  if (criteria.matches !== undefined && !new RegExp(criteria.matches, 'u').test(value)) {
    return { ok: false, why: `${shown} does not match /${criteria.matches}/` };
  }
  if (criteria.compare || criteria.between) {
    const n = Number(value.trim());
    if (value.trim() === '' || !Number.isFinite(n)) return { ok: false, why: `${shown} is not a number` };
    if (criteria.compare && !compare(n, criteria.compare.op, criteria.compare.value)) {
      return { ok: false, why: `${n} is not ${criteria.compare.op} ${criteria.compare.value}` };
    }
    if (criteria.between && (n < criteria.between.min || n > criteria.between.max)) {
      return { ok: false, why: `${n} is not between ${criteria.between.min} and ${criteria.between.max}` };
    }
  }
  return { ok: true };
}

function compare(a: number, op: NonNullable<PlanValueCriteria['compare']>['op'], b: number): boolean {
  switch (op) {
    case '==':
      return a === b;
    case '!=':
      return a !== b;
    case '<':
      return a < b;
    case '<=':
      return a <= b;
    case '>':
      return a > b;
    case '>=':
      return a >= b;
  }
}

/** A JSON value as a probe compares it: strings as written, anything else as JSON. */
export function asText(value: unknown): string {
  return typeof value === 'string' ? value : (JSON.stringify(value) ?? 'undefined');
}
