/**
 * Label values from closed sets. Every chaosflow metric names, for each of its labels, the values it may take;
 * anything outside the set is recorded as `other`, so the number of series never grows with input (a run id, a
 * target or a manifest's name can never become a label value, even by mistake).
 */

/** The value a label takes when the input is outside its set. */
export const OTHER = 'other';

/** For each label name, the values it may take. */
export type LabelSpec = Readonly<Record<string, readonly string[]>>;

/** The values of a label set after bounding: each one of its allowed values or `other`. */
export type BoundedValues<S extends LabelSpec> = { readonly [K in keyof S]: S[K][number] | typeof OTHER };

/** What callers pass: any string per label (bounded before it reaches the metric). */
export type LabelInput<S extends LabelSpec> = { readonly [K in keyof S]: string };

export function boundLabel<const V extends string>(allowed: readonly V[], value: string): V | typeof OTHER {
  return (allowed as readonly string[]).includes(value) ? (value as V) : OTHER;
}

export function boundLabels<S extends LabelSpec>(spec: S, input: LabelInput<S>): BoundedValues<S> {
  const out: Record<string, string> = {};
  for (const name of Object.keys(spec)) out[name] = boundLabel(spec[name] ?? [], input[name] ?? '');
  return out as BoundedValues<S>;
}

/** Most series a metric with this spec can have: the product of (allowed values + `other`) over its labels. */
export function maxSeries(spec: LabelSpec): number {
  return Object.values(spec).reduce((n, values) => n * (values.length + 1), 1);
}
