/** The known name closest to a misspelt one, for "did you mean ...?" hints. */

/** Longer inputs get no hint: no field or value is this long, and the distance costs length squared. */
const MAX_INPUT = 64;

/**
 * Case, `-` and `_` are ignored first (`requestHeaders` finds `request_headers`); otherwise the closest name
 * within an edit distance of about a third of its length. Bounded: at most `MAX_INPUT` characters are
 * compared, candidates whose length alone rules them out are skipped, and each distance stops at the limit.
 */
export function suggest(input: string, known: readonly string[]): string | undefined {
  if (input.length > MAX_INPUT) return undefined;
  const normal = normalise(input);
  const same = known.find((k) => normalise(k) === normal);
  if (same !== undefined) return same;
  const limit = Math.max(1, Math.floor(Math.max(normal.length, 3) / 3));
  let best: string | undefined;
  let bestDistance = limit + 1;
  for (const candidate of known) {
    const other = normalise(candidate);
    if (Math.abs(other.length - normal.length) >= bestDistance) continue;
    const d = distance(normal, other, bestDistance);
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best;
}

function normalise(name: string): string {
  return name.toLowerCase().replace(/[-_]/g, '');
}

/**
 * Levenshtein distance with adjacent transpositions (optimal string alignment), three rows of memory; returns
 * `cap` as soon as every entry of a row reaches it (the distance can only grow from there).
 */
function distance(a: string, b: string, cap: number): number {
  let before = new Array<number>(b.length + 1).fill(0);
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  let current = new Array<number>(b.length + 1).fill(0);
  for (let i = 1; i <= a.length; i++) {
    current[0] = i;
    let rowMin = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min(
        (previous[j] as number) + 1,
        (current[j - 1] as number) + 1,
        (previous[j - 1] as number) + cost,
      );
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        d = Math.min(d, (before[j - 2] as number) + 1);
      current[j] = d;
      if (d < rowMin) rowMin = d;
    }
    if (rowMin >= cap) return cap;
    [before, previous, current] = [previous, current, before];
  }
  return previous[b.length] as number;
}
