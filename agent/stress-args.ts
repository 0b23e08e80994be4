/**
 * The stressor strings of ExecStressors, turned into stress-ng argv. stress-ng has hundreds of options, many of
 * which write files, change scheduling or pin CPUs, so only an **allowlist** passes (`STRESS_OPTIONS`): the
 * CPU, memory and cache stressors with their methods and sizes, a timeout, and output options, each value
 * checked against a bound. Tokens are separated by spaces or tabs; an option is `--name`, `--name=value` or
 * a short alias (`-c 2`); control characters, shell metacharacters, quotes and slashes never pass. Anything
 * else is INVALID_ARGUMENT naming the token. stress-ng then runs in a scratch folder the agent owns
 * (`--temp-path`, see `stress-instances.ts`).
 *
 * `memoryStressors` is in memStress syntax (what Chaos Mesh's controller builds: `--workers N --size S`), which
 * the agent translates to stress-ng's vm stressor: see `memStressToStressNg`.
 */
import { AgentError } from './agent-error.js';

/** Workers of one stressor: 0 means one per online CPU (stress-ng's rule). */
export const MAX_WORKERS = 128;
/** `--timeout` at most a day (0: until cancelled). */
const MAX_TIMEOUT_S = 86_400;
const MAX_TOKENS = 64;
const MAX_LENGTH = 1024;

type ValueRule =
  | { readonly kind: 'flag' }
  | { readonly kind: 'integer'; readonly min: number; readonly max: number }
  | { readonly kind: 'size' }
  | { readonly kind: 'duration' }
  | { readonly kind: 'method'; readonly values: ReadonlySet<string> };

interface OptionRule {
  readonly value: ValueRule;
  /** It starts workers (at least one stressor must be named). */
  readonly stressor?: boolean;
}

const workers: OptionRule = { value: { kind: 'integer', min: 0, max: MAX_WORKERS }, stressor: true };
const ops: OptionRule = { value: { kind: 'integer', min: 1, max: 1_000_000_000 } };
const methods = (list: string): OptionRule => ({
  value: { kind: 'method', values: new Set(list.split(' ')) },
});
const flag: OptionRule = { value: { kind: 'flag' } };
const size: OptionRule = { value: { kind: 'size' } };

/** stress-ng 0.15's CPU methods. */
const CPU_METHODS =
  'all ackermann apery bitops callfunc cdouble cfloat clongdouble collatz correlate crc16 decimal32 decimal64 ' +
  'decimal128 dither div8 div16 div32 div64 div128 double euler explog factorial fibonacci fft fletcher16 float ' +
  'float32 float64 float80 float128 floatconversion gamma gcd gray hamming hanoi hyperbolic idct int128 int64 ' +
  'int32 int16 int8 int128float int128double int128longdouble int128decimal32 int128decimal64 int128decimal128 ' +
  'int64float int64double int64longdouble int32float int32double int32longdouble intconversion ipv4checksum jmp ' +
  'lfsr32 ln2 logmap longdouble loop matrixprod nsqrt omega parity phi pi prime psi queens rand rand48 rgb sieve ' +
  'stats sqrt trig union zeta';
/** stress-ng 0.15's vm methods, without `rowhammer` (it tries to flip bits in memory it does not own). */
const VM_METHODS =
  'all cache-lines cache-stripe checkerboard flip fwdrev galpat-0 galpat-1 gray grayflip incdec inc-nybble ' +
  'lfsr32 rand-set rand-sum read64 ror swap move-inv modulo-x mscan wrrd128nt prime-0 prime-1 prime-gray-0 ' +
  'prime-gray-1 prime-incdec walk-0d walk-1d walk-0a walk-1a write64 write64nt write1024v zero-one';
const MATRIX_METHODS =
  'all add copy div frobenius hadamard identity mean mult negate prod sub square trans zero';

/** Every option a stressor string may use (long names; `SHORT_OPTIONS` maps the short ones). */
export const STRESS_OPTIONS: Readonly<Record<string, OptionRule>> = Object.freeze({
  '--cpu': workers,
  '--cpu-load': { value: { kind: 'integer', min: 0, max: 100 } },
  '--cpu-load-slice': { value: { kind: 'integer', min: -5_000, max: 5_000 } },
  '--cpu-method': methods(CPU_METHODS),
  '--cpu-ops': ops,
  '--vm': workers,
  '--vm-bytes': size,
  '--vm-hang': { value: { kind: 'integer', min: 0, max: MAX_TIMEOUT_S } },
  '--vm-keep': flag,
  '--vm-method': methods(VM_METHODS),
  '--vm-ops': ops,
  '--malloc': workers,
  '--malloc-bytes': size,
  '--malloc-ops': ops,
  '--matrix': workers,
  '--matrix-method': methods(MATRIX_METHODS),
  '--matrix-size': { value: { kind: 'integer', min: 1, max: 8_192 } },
  '--matrix-ops': ops,
  '--memcpy': workers,
  '--memcpy-ops': ops,
  '--cache': workers,
  '--cache-ops': ops,
  '--timeout': { value: { kind: 'duration' } },
  '--metrics-brief': flag,
  '--quiet': flag,
});

const SHORT_OPTIONS: Readonly<Record<string, string>> = Object.freeze({
  '-c': '--cpu',
  '-l': '--cpu-load',
  '-m': '--vm',
  '-t': '--timeout',
});

function invalid(field: string, why: string): AgentError {
  return new AgentError('INVALID_ARGUMENT', `${field} is not a valid stress-ng argument list: ${why}`, {
    field,
  });
}

const PLAIN = /^[A-Za-z0-9._%-]{1,32}$/;

/** Printable ASCII tokens separated by spaces or tabs, bounded in length and count. */
function tokenize(field: string, text: string): string[] {
  if (text.length > MAX_LENGTH) throw invalid(field, `longer than ${MAX_LENGTH} characters`);
  if (/[^\x20-\x7e\t]/.test(text)) throw invalid(field, 'it contains a control or non-ASCII character');
  const tokens = text.split(/[ \t]+/).filter(Boolean);
  if (tokens.length > MAX_TOKENS) throw invalid(field, `more than ${MAX_TOKENS} tokens`);
  return tokens;
}

/** `--vm-bytes`/`--malloc-bytes`: 1-100% or a size in bytes up to 1 TiB (suffix b, k, m, g, t). */
function checkSize(value: string): boolean {
  const match = /^(\d{1,13})([bkmgt]?|%)$/i.exec(value);
  if (!match) return false;
  const amount = Number(match[1]);
  const unit = (match[2] ?? '').toLowerCase();
  if (unit === '%') return amount >= 1 && amount <= 100;
  const scale = { '': 1, b: 1, k: 2 ** 10, m: 2 ** 20, g: 2 ** 30, t: 2 ** 40 }[unit] ?? 0;
  return amount >= 1 && amount * scale <= 2 ** 40;
}

/** `--timeout`: N with s, m, h or d (no unit: seconds), at most a day. */
function checkDuration(value: string): boolean {
  const match = /^(\d{1,6})([smhd]?)$/.exec(value);
  if (!match) return false;
  const seconds = Number(match[1]) * ({ '': 1, s: 1, m: 60, h: 3600, d: 86_400 }[match[2] ?? ''] ?? 0);
  return seconds <= MAX_TIMEOUT_S;
}

function valueProblem(rule: ValueRule, value: string): string | undefined {
  switch (rule.kind) {
    case 'flag':
      return 'takes no value';
    case 'integer': {
      const n = Number(value);
      return /^-?\d{1,10}$/.test(value) && n >= rule.min && n <= rule.max
        ? undefined
        : `must be a whole number from ${rule.min} to ${rule.max}`;
    }
    case 'size':
      return checkSize(value) ? undefined : 'must be 1-100% or a size up to 1t such as 256m';
    case 'duration':
      return checkDuration(value) ? undefined : 'must be a duration up to a day such as 60s, 10m or 1h';
    case 'method':
      return rule.values.has(value) ? undefined : 'is not one of its methods';
  }
}

/**
 * Splits and checks a stress-ng argument string against the allowlist; an empty string gives no arguments.
 * The result keeps the caller's spelling (`--cpu=2`, `-c 2`), which stress-ng takes as is.
 */
export function parseStressNgArgs(field: string, text: string): string[] {
  const tokens = tokenize(field, text);
  let stressors = 0;
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i] as string;
    const shown = JSON.stringify(token.slice(0, 40));
    if (!/^--?[a-z]/.test(token)) throw invalid(field, `expected an option at ${shown}`);
    const [written = '', inline] = token.split(/=(.*)/s, 2);
    const name = SHORT_OPTIONS[written] ?? written;
    const rule = Object.hasOwn(STRESS_OPTIONS, name) ? STRESS_OPTIONS[name] : undefined;
    if (!rule) {
      throw invalid(
        field,
        `${JSON.stringify(written.slice(0, 40))} is not an allowed option (allowed: the cpu, vm, malloc, matrix, ` +
          'memcpy and cache stressors with their methods, sizes and ops, --timeout, --metrics-brief, --quiet)',
      );
    }
    if (rule.stressor) stressors++;
    if (rule.value.kind === 'flag') {
      if (inline !== undefined) throw invalid(field, `${name} takes no value`);
      continue;
    }
    const value = inline ?? tokens[++i];
    if (value === undefined) throw invalid(field, `${name} needs a value`);
    const problem = PLAIN.test(value) ? valueProblem(rule.value, value) : 'is not a plain value';
    if (problem) throw invalid(field, `${name} ${JSON.stringify(value.slice(0, 40))} ${problem}`);
  }
  if (tokens.length > 0 && stressors === 0) {
    throw invalid(field, 'it names no stressor (--cpu, --vm, --malloc, --matrix, --memcpy or --cache)');
  }
  return tokens;
}

const SIZE = /^(\d+)(B|KB|KiB|MB|MiB|GB|GiB|TB|TiB|%)?$/i;

/**
 * memStress options to stress-ng: `--workers N` -> `--vm N`, `--size S` -> `--vm-bytes S` (units mapped to
 * stress-ng's k/m/g/t, which are binary, so 256MB means 256 MiB here), and `--vm-hang 0` so each worker keeps
 * its memory until cancelled, as memStress does. memStress's `--time` (ramp-up time) has no stress-ng
 * equivalent and is refused, as is anything else.
 */
export function memStressToStressNg(field: string, text: string): string[] {
  const tokens = tokenize(field, text);
  let workers = '1';
  let size: string | undefined;
  for (let i = 0; i < tokens.length; i++) {
    const [name, inline] = (tokens[i] as string).split('=');
    const value = inline ?? tokens[++i];
    if (value === undefined) throw invalid(field, `${name} needs a value`);
    if (name === '--workers') {
      if (!/^\d{1,4}$/.test(value) || Number(value) < 1 || Number(value) > MAX_WORKERS) {
        throw invalid(field, `--workers must be 1-${MAX_WORKERS}`);
      }
      workers = value;
    } else if (name === '--size') {
      const match = SIZE.exec(value);
      if (!match) {
        throw invalid(
          field,
          `--size ${JSON.stringify(value.slice(0, 40))} is not a size such as 256MB or 50%`,
        );
      }
      const unit = (match[2] ?? 'B').toUpperCase();
      size = unit === '%' ? `${match[1]}%` : `${match[1]}${unit === 'B' ? 'B' : unit.charAt(0)}`;
    } else {
      throw invalid(
        field,
        `${JSON.stringify((name ?? '').slice(0, 40))} is not supported (memoryStressors takes memStress's --workers and --size)`,
      );
    }
  }
  const argv = ['--vm', workers, ...(size ? ['--vm-bytes', size] : []), '--vm-hang', '0'];
  // The bounds of the stress-ng options apply to the translation too (a size over 1t or 100%).
  parseStressNgArgs(field, argv.join(' '));
  return argv;
}
