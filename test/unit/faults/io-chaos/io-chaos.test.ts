/**
 * IOChaos. Expectations follow Chaos Mesh's `iochaos.Impl.Apply` (the `IOChaosAction` it appends, marshalled
 * with Go's field order: type, path, methods, percent, faults [{errno, weight: 1}], latency, attribute fields,
 * mistake, source `<ns>/<chaos>-<container>`) and the PodIOChaos controller (one ApplyIOChaos per container with
 * the JSON list, the volume, enterNS, and the previous toda instance).
 */
import { describe, expect, it } from 'vitest';
import type { ApplyTargetStateInput } from '../../../../activities/contract.js';
import type { IOActionItem } from '../../../../common/target-state.js';
import { DaemonClientPool } from '../../../../activities/daemon/daemon-client-pool.js';
import { ioActionItem } from '../../../../activities/faults/io-chaos/io-chaos.js';
import { createTargetStateApplier } from '../../../../activities/faults/per-target-state/apply-target-state.js';
import type { PodInfo } from '../../../../common/selection/pod-info.js';
import { batch, example, FakeDaemons, manifest, neverAborted, target } from '../fault-fixtures.js';

const web = target('web-0');

describe('IOChaos actions', () => {
  it('builds the action of examples/io-latency.yaml as Chaos Mesh marshals it', async () => {
    const compiled = await example('io-latency.yaml', 'IOChaos');
    const b = batch(compiled, [web]);
    const item = ioActionItem(b, b.targets[0]!);
    expect(item.container).toBe('main');
    expect(item.volume).toBe('/var/lib/demo');
    expect(JSON.stringify(item.action)).toBe(
      '{"type":"latency","path":"/var/lib/demo/**/*","methods":["read","write"],"percent":50,' +
        '"faults":[{"errno":0,"weight":1}],"latency":"100ms","source":"default/io-latency-main"}',
    );
  });

  it('carries errno, attribute overrides and mistakes', () => {
    const io = (spec: string) =>
      manifest(
        `
apiVersion: chaos-mesh.org/v1alpha1
kind: IOChaos
metadata: { name: io, namespace: default }
spec:
  mode: all
  selector: { labelSelectors: { app: web } }
  volumePath: /data
${spec}
  duration: 30s
`,
        'IOChaos',
      );
    const fault = io('  action: fault\n  errno: 5');
    const f = batch(fault, [web]);
    expect(ioActionItem(f, f.targets[0]!).action).toEqual({
      type: 'fault',
      path: '',
      percent: 100,
      faults: [{ errno: 5, weight: 1 }],
      source: 'default/io-main',
    });
    const attr = io('  action: attrOverride\n  attr: { perm: 72, size: 1, atime: { sec: 1, nsec: 2 } }');
    const a = batch(attr, [web]);
    expect(JSON.stringify(ioActionItem(a, a.targets[0]!).action)).toBe(
      '{"type":"attrOverride","path":"","percent":100,"faults":[{"errno":0,"weight":1}],"size":1,"atime":{"sec":1,"nsec":2},"perm":72,"source":"default/io-main"}',
    );
    const mistake = io('  action: mistake\n  mistake: { filling: zero, maxOccurrences: 2, maxLength: 10 }');
    const m = batch(mistake, [web]);
    expect(ioActionItem(m, m.targets[0]!).action['mistake']).toEqual({
      filling: 'zero',
      maxOccurrences: 2,
      maxLength: 10,
    });
  });
});

describe('IO state applier', () => {
  const pod: PodInfo = {
    namespace: 'default',
    name: 'web-0',
    uid: 'uid-web-0',
    labels: {},
    annotations: {},
    nodeName: 'node-1',
    phase: 'Running',
    containers: [
      { name: 'main', containerId: 'containerd://c1' },
      { name: 'side', containerId: 'containerd://c2' },
    ],
  };
  const setup = () => {
    const daemons = new FakeDaemons();
    daemons.answer = () => ({
      instance: String(100 + daemons.calls.length),
      startTime: '7',
      instance_uid: `u${daemons.calls.length}`,
    });
    const apply = createTargetStateApplier({
      pool: new DaemonClientPool(),
      source: {
        listPods: () => Promise.resolve([pod]),
        daemonFor: () => Promise.reject(new Error('unused')),
      },
      connector: daemons,
    });
    return { daemons, apply };
  };
  const input = (actions: IOActionItem[], daemonState?: Record<string, string>): ApplyTargetStateInput => ({
    family: 'io',
    endpoint: 'x',
    target: target('web-0'),
    lists: { actions },
    ...(daemonState ? { daemonState } : {}),
  });
  const a1 = { type: 'latency', source: 'a' };
  const a2 = { type: 'fault', source: 'b' };

  it('sends each container its whole action list and keeps the toda instance for the next call', async () => {
    const { daemons, apply } = setup();
    const first = await apply(input([{ container: 'main', volume: '/data', action: a1 }]), neverAborted);
    expect(daemons.calls[0]?.request).toEqual({
      actions: JSON.stringify([a1]),
      volume: '/data',
      container_id: 'containerd://c1',
      instance: '0',
      startTime: '0',
      enterNS: true,
      instance_uid: '',
    });
    expect(first.daemonState).toEqual({
      'volume/main': '/data',
      'instance/main': '101',
      'startTime/main': '7',
      'uid/main': 'u1',
    });
    await apply(
      input(
        [
          { container: 'main', volume: '/data', action: a1 },
          { container: 'main', volume: '/data', action: a2 },
        ],
        first.daemonState,
      ),
      neverAborted,
    );
    expect(daemons.calls[1]?.request).toMatchObject({
      actions: JSON.stringify([a1, a2]),
      instance: '101',
      startTime: '7',
      instance_uid: 'u1',
    });
  });

  it('stops the toda of a container whose last action was removed with an empty list', async () => {
    const { daemons, apply } = setup();
    const result = await apply(
      input([], { 'volume/main': '/data', 'instance/main': '101', 'startTime/main': '7', 'uid/main': 'u1' }),
      neverAborted,
    );
    expect(daemons.calls[0]?.request).toMatchObject({
      actions: '[]',
      volume: '/data',
      container_id: 'containerd://c1',
      instance: '101',
    });
    expect(result.daemonState).toEqual({});
  });

  it('refuses two volumes on one container, as a PodIOChaos holds one', async () => {
    const { apply } = setup();
    await expect(
      apply(
        input([
          { container: 'main', volume: '/data', action: a1 },
          { container: 'main', volume: '/logs', action: a2 },
        ]),
        neverAborted,
      ),
    ).rejects.toThrow(/one container takes faults on one volume at a time/);
  });
});
