/**
 * StressChaos requests. Expectations follow Chaos Mesh's `stresschaos.Impl.Apply` (ExecStressors with scope
 * CONTAINER, enterNS, the memory stressor's oomScoreAdj), `Stressors.Normalize` (the exact argument strings,
 * options appended as " <option> "), and `Impl.Recover` (CancelStressors with the instances and start times;
 * a container that is gone counts as recovered). stressngStressors is sent as cpuStressors (Chaos Mesh drops
 * it, issue #3783). The daemon is a FAKE recorder.
 */
import { describe, expect, it } from 'vitest';
import { DaemonError } from '../../../activities/daemon/daemon-error.js';
import { createStressChaosDriver, stressRequest } from '../../../activities/faults/stress-chaos.js';
import { batch, example, FakeDaemons, manifest, neverAborted, target } from './fault-fixtures.js';

const stress = (spec: string) =>
  manifest(
    `
apiVersion: chaos-mesh.org/v1alpha1
kind: StressChaos
metadata: { name: stress, namespace: default }
spec:
  mode: all
  selector: { labelSelectors: { app: web } }
${spec}
  duration: 30s
`,
    'StressChaos',
  );

const web = target('web-0');

describe('StressChaos', () => {
  it('builds the cpu stressor string of examples/stress-cpu.yaml', async () => {
    const compiled = await example('stress-cpu.yaml', 'StressChaos');
    expect(stressRequest(compiled.chaos.spec, batch(compiled, [web]).targets[0]!)).toEqual({
      scope: 'CONTAINER',
      target: 'containerd://web-0-main',
      cpuStressors: ' --cpu-load-slice 10 --cpu-method sqrt --cpu 1 --cpu-load 80',
      memoryStressors: '',
      enterNS: true,
      oomScoreAdj: 0,
    });
  });

  it('builds the memory stressor string with size, options and oomScoreAdj', () => {
    const compiled = stress(`  stressors:
    cpu: { workers: 2, options: ['--cpu-ops 1000'] }
    memory: { workers: 3, size: 256MB, oomScoreAdj: -500, options: ['--time 10s'] }`);
    expect(stressRequest(compiled.chaos.spec, batch(compiled, [web]).targets[0]!)).toMatchObject({
      cpuStressors: ' --cpu-load-slice 10 --cpu-method sqrt --cpu 2 --cpu-ops 1000 ',
      memoryStressors: ' --workers 3 --size 256MB --time 10s ',
      oomScoreAdj: -500,
    });
  });

  it('sends stressngStressors as it is written, instead of stressors', () => {
    const compiled = stress(`  stressngStressors: '--cpu 1 --cpu-load 50 --timeout 60s'
  stressors: { cpu: { workers: 4 } }`);
    expect(stressRequest(compiled.chaos.spec, batch(compiled, [web]).targets[0]!)).toMatchObject({
      cpuStressors: '--cpu 1 --cpu-load 50 --timeout 60s',
      memoryStressors: '',
    });
  });

  it('refuses arguments that are not plain tokens, whatever reads them', () => {
    for (const hostile of ["'--cpu 1; rm -rf /'", "'--cpu 1 $(reboot)'", "'--log-file /etc/passwd'"]) {
      const compiled = stress(`  stressngStressors: ${hostile}`);
      expect(() => stressRequest(compiled.chaos.spec, batch(compiled, [web]).targets[0]!)).toThrow(
        /is not a plain stress-ng option or value/,
      );
    }
  });

  it('keeps the instances as recovery data and cancels exactly them on recover', async () => {
    const compiled = await example('stress-cpu.yaml', 'StressChaos');
    const daemons = new FakeDaemons();
    daemons.answer = (call) =>
      call.rpc === 'ExecStressors'
        ? {
            cpuInstance: '4242',
            cpuStartTime: '1795300113000',
            memoryInstance: '',
            memoryStartTime: '0',
            cpuInstanceUid: 'u-1',
            memoryInstanceUid: '',
          }
        : {};
    const driver = createStressChaosDriver(daemons);
    const injected = await driver.inject(batch(compiled, [web]), neverAborted);
    expect(injected.results).toEqual([
      {
        key: 'run-1/stress-cpu/default/web-0/main',
        ok: true,
        recoveryData: {
          cpuInstance: '4242',
          cpuStartTime: '1795300113000',
          memoryInstance: '',
          memoryStartTime: '0',
          cpuInstanceUid: 'u-1',
          memoryInstanceUid: '',
        },
      },
    ]);
    expect(daemons.calls[0]?.options).toMatchObject({
      faultKey: { run: 'run-1', node: 'stress-cpu', target: 'default/web-0/main' },
      namespacedName: 'default/stress-cpu',
    });
    const recovered = await driver.recover(
      batch(compiled, [web], { recoveryData: injected.results[0]!.recoveryData! }),
      neverAborted,
    );
    expect(recovered.results).toEqual([{ key: 'run-1/stress-cpu/default/web-0/main', ok: true }]);
    expect(daemons.calls[1]).toMatchObject({
      rpc: 'CancelStressors',
      request: {
        cpuInstance: '4242',
        cpuStartTime: '1795300113000',
        memoryInstance: '',
        memoryStartTime: '0',
      },
    });
  });

  it('counts a stressor or container that is gone as recovered, with a message', async () => {
    const compiled = await example('stress-cpu.yaml', 'StressChaos');
    const daemons = new FakeDaemons();
    daemons.answer = () => {
      throw new DaemonError('DAEMON_CALL_FAILED', {
        endpoint: 'x',
        rpc: 'CancelStressors',
        status: 'NOT_FOUND',
        serverMessage: 'no such process',
      });
    };
    const { results } = await createStressChaosDriver(daemons).recover(
      batch(compiled, [web], { recoveryData: { cpuInstance: '1', cpuStartTime: '2' } }),
      neverAborted,
    );
    expect(results[0]?.ok).toBe(true);
    expect(results[0]?.message).toMatch(/target gone: counted as recovered \(no such process\)/);
  });

  it('reports a transient daemon failure as retryable and a refused request as not', async () => {
    const compiled = await example('stress-cpu.yaml', 'StressChaos');
    const daemons = new FakeDaemons();
    const driver = createStressChaosDriver(daemons);
    daemons.answer = () => {
      throw new DaemonError('DAEMON_CALL_FAILED', {
        endpoint: 'x',
        rpc: 'ExecStressors',
        status: 'UNAVAILABLE',
        serverMessage: 'down',
      });
    };
    expect((await driver.inject(batch(compiled, [web]), neverAborted)).results[0]).toMatchObject({
      ok: false,
      retryable: true,
    });
    daemons.answer = () => {
      throw new DaemonError('DAEMON_CALL_FAILED', {
        endpoint: 'x',
        rpc: 'ExecStressors',
        status: 'INVALID_ARGUMENT',
        serverMessage: 'bad',
      });
    };
    expect((await driver.inject(batch(compiled, [web]), neverAborted)).results[0]).toMatchObject({
      ok: false,
      retryable: false,
    });
  });
});
