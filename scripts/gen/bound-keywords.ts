/**
 * Two schema keywords for the bounds of formatted strings, which a `pattern` cannot express: the value is a
 * number with a unit, and what bounds it is the Go type Chaos Mesh parses it into.
 *
 * - `maxDuration: "2562047h47m16.854775807s"` on Go durations (`deadline`, `duration`, `jitter`, netem
 *   latency, `timeOffset`, ...): time.ParseDuration refuses what does not fit an int64 of nanoseconds.
 * - `maxRate: "18446744073709551615bps"` on tc rates: Chaos Mesh turns them into a uint64 of bytes per second
 *   (`kbps` = 1024 bps, as ConvertUnitToBytes does; a bit is an eighth of a byte).
 *
 * The validators check them in inline code (standalone validators may import nothing); the CRDs leave them
 * out (the API server has no such keyword) and the controller validates with these validators.
 */
import { _, type KeywordCxt, type KeywordDefinition } from 'ajv';
import { parseGoDuration } from '../../common/duration.js';

export const BOUND_KEYWORDS = ['maxDuration', 'maxRate'] as const;

const RATE_UNITS: Readonly<Record<string, number>> = {
  bit: 1 / 8,
  kbit: 1024 / 8,
  mbit: 1024 ** 2 / 8,
  gbit: 1024 ** 3 / 8,
  tbit: 1024 ** 4 / 8,
  bps: 1,
  kbps: 1024,
  mbps: 1024 ** 2,
  gbps: 1024 ** 3,
  tbps: 1024 ** 4,
};

/** Bytes per second of a tc rate such as `1mbps`; undefined when it is not one. */
export function rateBytesPerSecond(text: string): number | undefined {
  const match = /^([0-9]+(?:\.[0-9]+)?)([a-zA-Z]+)$/.exec(text);
  const unit = match ? RATE_UNITS[(match[2] as string).toLowerCase()] : undefined;
  return match && unit !== undefined ? Number(match[1]) * unit : undefined;
}

function limitOf(keyword: string, schema: unknown, parse: (s: string) => number | undefined): number {
  const limit = typeof schema === 'string' ? parse(schema) : undefined;
  if (limit === undefined) throw new Error(`${keyword}: ${JSON.stringify(schema)} is not a valid limit`);
  return limit;
}

export const boundKeywords: KeywordDefinition[] = [
  {
    keyword: 'maxDuration',
    type: 'string',
    schemaType: 'string',
    error: { message: 'must be a shorter duration', params: ({ schema }) => _`{limit: ${schema as string}}` },
    code(cxt: KeywordCxt) {
      const limit = limitOf('maxDuration', cxt.schema, parseGoDuration);
      // Milliseconds of a string the pattern accepted (a sign is ignored: the bound is on the magnitude).
      // Strings the pattern refuses give NaN or a partial sum; the pattern reports them.
      cxt.fail(
        _`(${cxt.data}.match(/[0-9.]+(ns|us|µs|μs|ms|s|m|h)/g) || []).reduce((t, p) => t + parseFloat(p) * ({ns: 1e-6, us: 1e-3, "µs": 1e-3, "μs": 1e-3, ms: 1, s: 1e3, m: 6e4, h: 36e5})[p.replace(/^[0-9.]+/, "")], 0) > ${limit}`,
      );
    },
  },
  {
    keyword: 'maxRate',
    type: 'string',
    schemaType: 'string',
    error: { message: 'must be a lower rate', params: ({ schema }) => _`{limit: ${schema as string}}` },
    code(cxt: KeywordCxt) {
      const limit = limitOf('maxRate', cxt.schema, rateBytesPerSecond);
      // The table is RATE_UNITS (a test keeps the two equal).
      cxt.fail(
        _`((m) => m ? parseFloat(m[1]) * ({bit: 0.125, kbit: 128, mbit: 131072, gbit: 134217728, tbit: 137438953472, bps: 1, kbps: 1024, mbps: 1048576, gbps: 1073741824, tbps: 1099511627776})[m[2].toLowerCase()] : 0)(/^([0-9.]+)([a-zA-Z]+)$/.exec(${cxt.data})) > ${limit}`,
      );
    },
  },
];
