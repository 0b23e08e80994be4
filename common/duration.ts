/**
 * Go `time.ParseDuration` semantics, which is what Chaos Mesh uses for `deadline`, `duration` and the like:
 * a sequence of decimal numbers with optional fraction and a unit each (`300ms`, `1.5h`, `-1h30m`); units
 * ns, us, µs (U+00B5), μs (U+03BC), ms, s, m, h; no days. `0` alone is allowed.
 */

const UNIT_MS: Readonly<Record<string, number>> = {
  ns: 1e-6,
  us: 1e-3,
  µs: 1e-3,
  μs: 1e-3,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
};

const PART = /(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)/y;

/** Parses a Go duration into milliseconds (fractions of a millisecond kept). Returns undefined when invalid. */
export function parseGoDuration(text: string): number | undefined {
  let s = text;
  let sign = 1;
  if (s.startsWith('-') || s.startsWith('+')) {
    sign = s.startsWith('-') ? -1 : 1;
    s = s.slice(1);
  }
  if (s === '0') return 0;
  if (s === '') return undefined;
  let total = 0;
  PART.lastIndex = 0;
  while (PART.lastIndex < s.length) {
    const start = PART.lastIndex;
    const m = PART.exec(s);
    if (!m || m.index !== start) return undefined;
    const [, value, unit] = m;
    total += Number(value) * (UNIT_MS[unit as string] ?? Number.NaN);
  }
  return Number.isFinite(total) ? sign * total : undefined;
}

/** Formats milliseconds the way Go prints a Duration (`1h2m3.5s`, `250ms`, `0s`). */
export function formatGoDuration(ms: number): string {
  if (ms === 0) return '0s';
  const sign = ms < 0 ? '-' : '';
  let rest = Math.abs(ms);
  if (rest < 1000) return `${sign}${trim(rest)}ms`;
  const h = Math.floor(rest / 3_600_000);
  rest -= h * 3_600_000;
  const m = Math.floor(rest / 60_000);
  rest -= m * 60_000;
  const s = rest / 1000;
  return `${sign}${h ? `${h}h` : ''}${h || m ? `${m}m` : ''}${trim(s)}s`;
}

function trim(n: number): string {
  return String(Number(n.toFixed(9)));
}
