/**
 * The tc parameters of a NetworkChaos as Chaos Mesh v2.8 turns them into daemon messages (`pkg/netem`:
 * `FromDelay`, `FromLoss`, `FromDuplicate`, `FromCorrupt`, `FromRate`, `FromBandwidth`; `MergeNetem` takes the
 * larger value of each field, so `netem` combines its parts). Since v2.8 the delay and jitter travel as duration
 * strings; percentages and correlations as floats (25 means 25%).
 *
 * One deliberate difference: the daemon uses a delay only if its text compares greater than "0ms", and hands
 * it to tc, which knows s, ms and us only. So "0.5s" (which sorts before "0ms") or "1m" (which tc refuses)
 * would be dropped or fail there; such values are re-expressed in a unit tc reads ("500ms", "60s"). Values
 * already in that form are sent as written, like Chaos Mesh.
 */
import type { NetworkChaosSpec } from '../../../common/generated/manifest-types.js';
import type { NetemInput } from '../../../proto/generated/pb/Netem.js';
import type { TbfInput } from '../../../proto/generated/pb/Tbf.js';
import { ActivityError } from '../../errors.js';

export type NetemMessage = Omit<NetemInput, 'parent' | 'handle'> & Record<string, unknown>;
export type TbfMessage = TbfInput;

const NETEM_DEFAULTS = {
  time: '',
  jitter: '',
  delay_corr: 0,
  limit: 0,
  loss: 0,
  loss_corr: 0,
  gap: 0,
  duplicate: 0,
  duplicate_corr: 0,
  reorder: 0,
  reorder_corr: 0,
  corrupt: 0,
  corrupt_corr: 0,
  rate: '',
};

const bad = (why: string) => new ActivityError('INVALID_INPUT', why);

/** The merged netem of every netem part the spec has (Chaos Mesh's `mergeNetem`). */
export function netemOf(spec: Partial<NetworkChaosSpec>): NetemMessage {
  const parts: Partial<typeof NETEM_DEFAULTS>[] = [];
  if (spec.delay) {
    const d = spec.delay;
    parts.push({
      time: netemTime('delay.latency', d.latency),
      jitter: netemTime('delay.jitter', d.jitter ?? '0ms'),
      delay_corr: percent('delay.correlation', d.correlation ?? '0'),
      ...(d.reorder
        ? {
            reorder: percent('delay.reorder.reorder', d.reorder.reorder),
            reorder_corr: percent('delay.reorder.correlation', d.reorder.correlation ?? '0'),
            gap: nonNegativeInteger('delay.reorder.gap', d.reorder.gap ?? 0),
          }
        : {}),
    });
  }
  if (spec.loss) {
    parts.push({
      loss: percent('loss.loss', spec.loss.loss),
      loss_corr: percent('loss.correlation', spec.loss.correlation ?? '0'),
    });
  }
  if (spec.duplicate) {
    parts.push({
      duplicate: percent('duplicate.duplicate', spec.duplicate.duplicate),
      duplicate_corr: percent('duplicate.correlation', spec.duplicate.correlation ?? '0'),
    });
  }
  if (spec.corrupt) {
    parts.push({
      corrupt: percent('corrupt.corrupt', spec.corrupt.corrupt),
      corrupt_corr: percent('corrupt.correlation', spec.corrupt.correlation ?? '0'),
    });
  }
  if (spec.rate) parts.push({ rate: tcRate('rate.rate', spec.rate.rate) });
  if (parts.length === 0) {
    throw bad('invalid spec for netem action, at least one is required from delay, loss, duplicate, corrupt');
  }
  const merged: Record<string, number | string> = { ...NETEM_DEFAULTS };
  for (const part of parts) {
    for (const [field, value] of Object.entries(part)) {
      const current = merged[field];
      if (typeof value === 'number') merged[field] = Math.max(value, current as number);
      else if (value !== '') merged[field] = value;
    }
  }
  return merged;
}

/** `FromBandwidth`: peakrate and minburst only when both are given. */
export function tbfOf(spec: Partial<NetworkChaosSpec>): TbfMessage {
  const b = spec.bandwidth;
  if (!b) throw bad('action bandwidth needs bandwidth: { rate, limit, buffer }');
  const both = b.peakrate !== undefined && b.minburst !== undefined;
  return {
    rate: tcRate('bandwidth.rate', b.rate),
    limit: uint32('bandwidth.limit', b.limit),
    buffer: uint32('bandwidth.buffer', b.buffer),
    peak_rate: both ? String(nonNegativeInteger('bandwidth.peakrate', b.peakrate ?? 0)) : '0',
    min_burst: both ? uint32('bandwidth.minburst', b.minburst ?? 0) : 0,
  };
}

const TIME = /^(\d+(?:\.\d+)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)$/;
const NS_PER: Readonly<Record<string, number>> = {
  ns: 1,
  us: 1e3,
  µs: 1e3,
  μs: 1e3,
  ms: 1e6,
  s: 1e9,
  m: 60e9,
  h: 3600e9,
};

/** A netem delay or jitter as the v2.8 daemon will read it (see the file comment). */
export function netemTime(field: string, value: string): string {
  const match = TIME.exec(value);
  if (!match)
    throw bad(`${field} ${JSON.stringify(value.slice(0, 40))} must be a number and a unit, such as 90ms`);
  const [, amount = '', unit = ''] = match;
  const ns = Math.round(Number(amount) * (NS_PER[unit] ?? Number.NaN));
  if (ns === 0) return '0ms';
  if (['s', 'ms', 'us'].includes(unit) && value > '0ms') return value;
  for (const [suffix, size] of [
    ['s', 1e9],
    ['ms', 1e6],
    ['us', 1e3],
  ] as const) {
    if (ns % size === 0) return `${ns / size}${suffix}`;
  }
  throw bad(`${field} ${value} is finer than a microsecond, which tc cannot express`);
}

/** A percentage as a float (Chaos Mesh parses it with `strconv.ParseFloat(s, 32)`). */
function percent(field: string, value: string): number {
  const n = /^\d+(\.\d+)?$/.test(value) ? Number(value) : Number.NaN;
  if (!(n >= 0 && n <= 100))
    throw bad(`${field} ${JSON.stringify(value)} must be a percentage 0-100 such as "25"`);
  return n;
}

function tcRate(field: string, value: string): string {
  if (!/^\d+(\.\d+)?(bit|kbit|mbit|gbit|tbit|bps|kbps|mbps|gbps|tbps)$/i.test(value)) {
    throw bad(`${field} ${JSON.stringify(value.slice(0, 40))} must be a rate such as 1mbps or 800kbit`);
  }
  return value;
}

function uint32(field: string, value: unknown): number {
  const n = nonNegativeInteger(field, value);
  if (n > 0xffffffff) throw bad(`${field} ${n} is larger than 4294967295`);
  return n;
}

function nonNegativeInteger(field: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw bad(`${field} must be a non-negative integer, got ${JSON.stringify(value)}`);
  }
  return value;
}
