/**
 * TimeChaos requests. Expectations follow Chaos Mesh's `timechaos.Impl` (SetTimeOffset / RecoverTimeOffset with
 * `secAndNSecFromDuration`: Go integer division, both parts signed), `EncodeClkIds` (bit i = Linux clock id i)
 * and the uid `<chaos uid><pod uid>` with `pod_container_name` `<pod uid>:<container>`.
 */
import { describe, expect, it } from 'vitest';
import { DaemonError } from '../../../activities/daemon/daemon-error.js';
import {
  chaosUid,
  clockMask,
  createTimeChaosDriver,
  goDurationNanos,
  secAndNsec,
  setTimeOffsetRequest,
} from '../../../activities/faults/time-chaos.js';
import { batch, example, FakeDaemons, manifest, neverAborted, target } from './fault-fixtures.js';

const web = target('web-0');

describe('TimeChaos', () => {
  it('sets the offset of examples/time-offset.yaml: -10m on CLOCK_REALTIME', async () => {
    const compiled = await example('time-offset.yaml', 'TimeChaos');
    const b = batch(compiled, [web]);
    const uid = chaosUid(b);
    expect(uid).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(setTimeOffsetRequest(b, b.targets[0]!)).toEqual({
      container_id: 'containerd://web-0-main',
      sec: '-600',
      nsec: '0',
      clk_ids_mask: '1',
      uid: `${uid}uid-web-0`,
      pod_container_name: 'uid-web-0:main',
    });
  });

  it('splits signed offsets the way Go divides: both parts carry the sign', () => {
    expect(secAndNsec(goDurationNanos('-1.5s'))).toEqual({ sec: -1n, nsec: -500_000_000n });
    expect(secAndNsec(goDurationNanos('1h30m0.25s'))).toEqual({ sec: 5400n, nsec: 250_000_000n });
    expect(secAndNsec(goDurationNanos('-90ms'))).toEqual({ sec: 0n, nsec: -90_000_000n });
    expect(goDurationNanos('0')).toBe(0n);
    expect(goDurationNanos('1µs')).toBe(1000n);
    expect(() => goDurationNanos('10 minutes')).toThrow(/not a Go duration/);
  });

  it('encodes the clocks as bits 0..9 in the order of the Linux clock ids', () => {
    expect(clockMask(['CLOCK_REALTIME'])).toBe(1n);
    expect(clockMask(['CLOCK_MONOTONIC', 'CLOCK_BOOTTIME'])).toBe(2n | 128n);
    expect(clockMask(['CLOCK_BOOTTIME_ALARM', 'CLOCK_REALTIME_ALARM', 'CLOCK_MONOTONIC_COARSE'])).toBe(
      512n | 256n | 64n,
    );
    expect(() => clockMask(['CLOCK_TAI'])).toThrow(/unknown clock "CLOCK_TAI"/);
  });

  it('recovers with the same uid, and counts a daemon without time faults as nothing injected', async () => {
    const compiled = manifest(
      `
apiVersion: chaos-mesh.org/v1alpha1
kind: TimeChaos
metadata: { name: clock, namespace: default }
spec:
  mode: all
  selector: { labelSelectors: { app: web } }
  timeOffset: 2h
  clockIds: [CLOCK_MONOTONIC_RAW, CLOCK_REALTIME_COARSE]
  duration: 30s
`,
      'TimeChaos',
    );
    const daemons = new FakeDaemons();
    const driver = createTimeChaosDriver(daemons);
    const b = batch(compiled, [web]);
    expect((await driver.inject(b, neverAborted)).results[0]?.ok).toBe(true);
    expect(daemons.calls[0]?.request).toMatchObject({
      sec: '7200',
      nsec: '0',
      clk_ids_mask: String(16 + 32),
    });
    await driver.recover(b, neverAborted);
    expect(daemons.calls[1]).toMatchObject({
      rpc: 'RecoverTimeOffset',
      request: {
        container_id: 'containerd://web-0-main',
        uid: `${chaosUid(b)}uid-web-0`,
        pod_container_name: 'uid-web-0:main',
      },
    });
    daemons.answer = () => {
      throw new DaemonError('DAEMON_CALL_FAILED', {
        endpoint: 'x',
        rpc: 'RecoverTimeOffset',
        status: 'UNIMPLEMENTED',
        serverMessage: 'no watchmaker',
      });
    };
    const [unimplemented] = (await driver.recover(b, neverAborted)).results;
    expect(unimplemented?.ok).toBe(true);
    expect(unimplemented?.message).toMatch(/does not implement RecoverTimeOffset, so nothing was injected/);
  });
});
