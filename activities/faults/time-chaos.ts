/**
 * The TimeChaos driver, as Chaos Mesh's `timechaos.Impl`: SetTimeOffset on the selected container with the
 * offset split into whole seconds and nanoseconds (both carrying the sign, as Go's integer division gives
 * them), the clocks as a bit mask (bit i = the i-th clock of `TIME_CLOCK_IDS`), the fault's uid
 * (`<chaos uid><pod uid>`) and `<pod uid>:<container>`; recover is RecoverTimeOffset with the same ids. The
 * chaos uid is derived from the run and node (chaosflow has no chaos object), so recover finds the same one.
 */
import { createHash } from 'node:crypto';
import type { TimeRequestInput } from '../../proto/generated/pb/TimeRequest.js';
import type { FaultBatchOf } from '../contract.js';
import { ActivityError } from '../errors.js';
import type { DaemonConnector } from './daemon-connector.js';
import type { FaultDriver } from './fault-driver.js';
import { callOptions, eachTarget, failedRecover, type FaultTarget } from './fault-outcome.js';

/** The clocks in the order of their mask bits (Chaos Mesh's `EncodeClkIds`, the Linux clock ids 0..9). */
export const TIME_CLOCK_IDS = [
  'CLOCK_REALTIME',
  'CLOCK_MONOTONIC',
  'CLOCK_PROCESS_CPUTIME_ID',
  'CLOCK_THREAD_CPUTIME_ID',
  'CLOCK_MONOTONIC_RAW',
  'CLOCK_REALTIME_COARSE',
  'CLOCK_MONOTONIC_COARSE',
  'CLOCK_BOOTTIME',
  'CLOCK_REALTIME_ALARM',
  'CLOCK_BOOTTIME_ALARM',
] as const;

const bad = (why: string) => new ActivityError('INVALID_INPUT', `TimeChaos: ${why}`);

export function clockMask(clockIds: readonly string[]): bigint {
  let mask = 0n;
  for (const id of clockIds) {
    const bit = (TIME_CLOCK_IDS as readonly string[]).indexOf(id);
    if (bit < 0) throw bad(`unknown clock ${JSON.stringify(id)}; use one of ${TIME_CLOCK_IDS.join(', ')}`);
    mask |= 1n << BigInt(bit);
  }
  return mask;
}

const NS_PER_UNIT: Readonly<Record<string, bigint>> = {
  ns: 1n,
  us: 1_000n,
  µs: 1_000n,
  μs: 1_000n,
  ms: 1_000_000n,
  s: 1_000_000_000n,
  m: 60_000_000_000n,
  h: 3_600_000_000_000n,
};

/** A signed Go duration in nanoseconds, exactly (fractions truncated at the nanosecond, like Go). */
export function goDurationNanos(text: string): bigint {
  const sign = text.startsWith('-') ? -1n : 1n;
  const body = text.replace(/^[-+]/, '');
  if (body === '0') return 0n;
  if (body === '') throw bad(`timeOffset ${JSON.stringify(text)} is not a Go duration`);
  const part = /(\d*)(?:\.(\d*))?(ns|us|µs|μs|ms|s|m|h)/y;
  let total = 0n;
  let at = 0;
  while (at < body.length) {
    part.lastIndex = at;
    const m = part.exec(body);
    if (!m || (m[1] === '' && (m[2] ?? '') === ''))
      throw bad(`timeOffset ${JSON.stringify(text)} is not a Go duration`);
    const unit = NS_PER_UNIT[m[3] as string] as bigint;
    const fraction = m[2] ?? '';
    total += BigInt(m[1] || '0') * unit + (BigInt(fraction || '0') * unit) / 10n ** BigInt(fraction.length);
    at = part.lastIndex;
  }
  return sign * total;
}

/** Chaos Mesh's `secAndNSecFromDuration`: both parts keep the sign. */
export function secAndNsec(nanos: bigint): { sec: bigint; nsec: bigint } {
  const sec = nanos / 1_000_000_000n;
  return { sec, nsec: nanos - sec * 1_000_000_000n };
}

/** A stable UUID-shaped id of the fault's node in its run (Chaos Mesh uses the chaos object's uid). */
export function chaosUid(batch: FaultBatchOf<'TimeChaos'>): string {
  const h = createHash('sha256').update(`${batch.run.workflowId}/${batch.nodeId}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

function ids(
  batch: FaultBatchOf<'TimeChaos'>,
  target: FaultTarget,
): { uid: string; pod_container_name: string } {
  const podUid = target.target.podUid ?? `${target.target.namespace}/${target.target.pod}`;
  return { uid: `${chaosUid(batch)}${podUid}`, pod_container_name: `${podUid}:${target.target.container}` };
}

export function setTimeOffsetRequest(
  batch: FaultBatchOf<'TimeChaos'>,
  target: FaultTarget,
): TimeRequestInput {
  const spec = batch.chaos.spec;
  const { sec, nsec } = secAndNsec(goDurationNanos(spec.timeOffset));
  return {
    container_id: target.target.containerId,
    sec: String(sec),
    nsec: String(nsec),
    clk_ids_mask: String(clockMask(spec.clockIds ?? ['CLOCK_REALTIME'])),
    ...ids(batch, target),
  };
}

export function createTimeChaosDriver(connector: DaemonConnector): FaultDriver<'TimeChaos'> {
  return {
    inject: (batch, signal) =>
      eachTarget(batch, async (target) => {
        const request = setTimeOffsetRequest(batch, target);
        const daemon = await connector.forNode(target.target.node);
        await daemon.call('SetTimeOffset', request, callOptions(batch, target, signal));
        return { ok: true };
      }),
    recover: (batch, signal) =>
      eachTarget(
        batch,
        async (target) => {
          const daemon = await connector.forNode(target.target.node);
          await daemon.call(
            'RecoverTimeOffset',
            { container_id: target.target.containerId, ...ids(batch, target) },
            callOptions(batch, target, signal),
          );
          return { ok: true };
        },
        failedRecover,
      ),
  };
}
