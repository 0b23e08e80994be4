/** Compilation: Chaos Mesh's webhook defaults, durations in milliseconds, plans and schedule plans. */
import { describe, expect, it } from 'vitest';
import type { Plan, PlanTemplate } from '../../../common/plan.js';
import type { SchedulePlan } from '../../../common/schedule-plan.js';
import { readManifestText } from '../../../manifests/read-manifests.js';

function compile(yaml: string): (Plan | SchedulePlan)[] {
  const result = readManifestText(yaml, 'test.yaml');
  expect(result.errors).toEqual([]);
  return result.compiled.map((c) => (c.type === 'plan' ? c.plan : c.schedulePlan));
}

function plan(yaml: string): Plan {
  const [first] = compile(yaml);
  if (!first || !('planVersion' in first)) throw new Error('expected a plan');
  return first;
}

function template(p: Plan, name: string): PlanTemplate {
  const t = p.templates[name];
  if (!t) throw new Error(`no template ${name}`);
  return t;
}

const chaos = (kind: string, spec: string, namespace = 'chaos-testing'): string => `
apiVersion: chaos-mesh.org/v1alpha1
kind: ${kind}
metadata: { name: c, namespace: ${namespace} }
spec:
${spec}
`;

describe('compileManifest', () => {
  it('limits selectors without namespaces to the manifest namespace, targets included', () => {
    const p = plan(
      chaos(
        'NetworkChaos',
        `  action: partition
  mode: all
  direction: both
  selector: { labelSelectors: { app: demo } }
  target: { mode: one, selector: { labelSelectors: { app: client } } }
  duration: 10s`,
      ),
    );
    const t = template(p, 'c');
    if (t.type !== 'Chaos') throw new Error('not chaos');
    expect(t.chaos.spec).toMatchObject({
      selector: { namespaces: ['chaos-testing'] },
      target: { selector: { namespaces: ['chaos-testing'] } },
      direction: 'both',
    });
    expect(p.source.namespace).toBe('chaos-testing');
  });

  it('keeps namespaces that are written and defaults the namespace of the manifest to default', () => {
    const p = plan(`
apiVersion: chaosflow.dev/v1alpha1
kind: PodChaos
metadata: { name: kill }
spec: { action: pod-kill, mode: one, selector: { namespaces: [a, b] } }
`);
    expect(p.source).toMatchObject({
      apiVersion: 'chaosflow.dev/v1alpha1',
      namespace: 'default',
      kind: 'PodChaos',
    });
    const t = template(p, 'kill');
    expect(t.type === 'Chaos' && t.chaos.spec.selector).toEqual({ namespaces: ['a', 'b'] });
  });

  it('applies the NetworkChaos netem defaults: jitter 0ms and correlation "0"', () => {
    const p = plan(
      chaos(
        'NetworkChaos',
        `  action: netem
  mode: all
  selector: {}
  delay: { latency: 90ms, reorder: { reorder: "10" } }
  loss: { loss: "5" }
  duplicate: { duplicate: "1", correlation: "50" }
  corrupt: { corrupt: "2" }
  duration: 1m`,
      ),
    );
    const t = template(p, 'c');
    expect(t.deadlineMs).toBe(60_000);
    expect(t.type === 'Chaos' && t.chaos.spec).toMatchObject({
      direction: 'to',
      delay: {
        latency: '90ms',
        jitter: '0ms',
        correlation: '0',
        reorder: { reorder: '10', correlation: '0' },
      },
      loss: { loss: '5', correlation: '0' },
      duplicate: { duplicate: '1', correlation: '50' },
      corrupt: { corrupt: '2', correlation: '0' },
    });
  });

  it('applies the TimeChaos, IOChaos, StressChaos and PodChaos defaults', () => {
    const spec = (kind: string, body: string): Record<string, unknown> => {
      const t = template(plan(chaos(kind, body)), 'c');
      if (t.type !== 'Chaos') throw new Error('not chaos');
      return t.chaos.spec;
    };
    expect(spec('TimeChaos', '  mode: one\n  selector: {}\n  timeOffset: 1h\n  duration: 5s')).toMatchObject({
      clockIds: ['CLOCK_REALTIME'],
    });
    expect(
      spec(
        'IOChaos',
        '  action: fault\n  errno: 5\n  mode: one\n  selector: {}\n  volumePath: /d\n  duration: 5s',
      ),
    ).toMatchObject({ percent: 100 });
    expect(
      spec(
        'StressChaos',
        '  mode: one\n  selector: {}\n  stressors: { memory: { workers: 1, size: 64MB } }\n  duration: 5s',
      ),
    ).toMatchObject({ stressors: { memory: { oomScoreAdj: 0 } } });
    expect(
      spec('PodChaos', '  action: pod-failure\n  mode: one\n  selector: {}\n  duration: 5s'),
    ).toMatchObject({
      gracePeriod: 0,
    });
  });

  it('sets action and oneShot from the kind: container-kill is one-shot, pod-failure is not, StressChaos has no action', () => {
    const of = (kind: string, body: string) => {
      const t = template(plan(chaos(kind, body)), 'c');
      if (t.type !== 'Chaos') throw new Error('not chaos');
      return t.chaos;
    };
    expect(of('PodChaos', '  action: container-kill\n  mode: one\n  selector: {}')).toMatchObject({
      action: 'container-kill',
      oneShot: true,
    });
    expect(of('PodChaos', '  action: pod-failure\n  mode: one\n  selector: {}\n  duration: 5s').oneShot).toBe(
      false,
    );
    const stress = of(
      'StressChaos',
      '  mode: one\n  selector: {}\n  stressngStressors: --cpu 1\n  duration: 5s',
    );
    expect(stress).not.toHaveProperty('action');
    expect(stress.oneShot).toBe(false);
  });

  it('compiles durations to milliseconds, fractions and mixed units included', () => {
    const p = plan(`
apiVersion: chaos-mesh.org/v1alpha1
kind: Workflow
metadata: { name: w }
spec:
  entry: root
  templates:
    - { name: root, templateType: Serial, deadline: 1h30m, children: [a, b, c] }
    - { name: a, templateType: Suspend, deadline: 1.5s }
    - { name: b, templateType: Suspend, deadline: 250ms }
    - { name: c, templateType: Suspend, deadline: 1500us }
`);
    expect(Object.values(p.templates).map((t) => t.deadlineMs)).toEqual([5_400_000, 1500, 250, 1.5]);
    expect(template(p, 'a')).toEqual({ type: 'Suspend', name: 'a', deadlineMs: 1500, approval: false });
  });

  it('gives retry the default backoff of 1s doubling without a cap', () => {
    const p = plan(`
apiVersion: chaos-mesh.org/v1alpha1
kind: Workflow
metadata: { name: w }
spec:
  entry: wait
  templates:
    - { name: wait, templateType: Suspend, deadline: 5s, retry: { limit: 2 } }
`);
    expect(template(p, 'wait').retry).toEqual({ limit: 2, backoff: { initialMs: 1000, factor: 2 } });
  });

  it('compiles a Schedule template with its cron fields and the tick duration', () => {
    const p = plan(`
apiVersion: chaos-mesh.org/v1alpha1
kind: Workflow
metadata: { name: w, namespace: ops }
spec:
  entry: nightly
  templates:
    - name: nightly
      templateType: Schedule
      deadline: 1h
      schedule:
        schedule: "*/10 * * * * *"
        startingDeadlineSeconds: null
        historyLimit: 2
        type: NetworkChaos
        networkChaos: { action: partition, mode: all, selector: {}, duration: 3s }
`);
    expect(template(p, 'nightly')).toEqual({
      type: 'Schedule',
      name: 'nightly',
      deadlineMs: 3_600_000,
      schedule: { expression: '*/10 * * * * *', concurrencyPolicy: 'Forbid', historyLimit: 2 },
      chaos: {
        kind: 'NetworkChaos',
        action: 'partition',
        oneShot: false,
        spec: { action: 'partition', mode: 'all', selector: { namespaces: ['ops'] }, direction: 'to' },
      },
      tickDurationMs: 3000,
    });
  });

  it('compiles a Schedule with the chaosflow extensions', () => {
    const [s] = compile(`
apiVersion: chaosflow.dev/v1alpha1
kind: Schedule
metadata: { name: weekday-kill }
spec:
  schedule: "0 9 * * MON-FRI"
  timezone: Europe/Paris
  jitter: 5m
  suspend: true
  concurrencyPolicy: Replace
  type: PodChaos
  podChaos: { action: pod-kill, mode: one, selector: { labelSelectors: { app: demo } } }
`);
    expect(s).toMatchObject({
      schedulePlanVersion: 1,
      schedule: '0 9 * * MON-FRI',
      timezone: 'Europe/Paris',
      jitterMs: 300_000,
      suspend: true,
      concurrencyPolicy: 'Replace',
      type: 'PodChaos',
    });
    const run = (s as SchedulePlan).run;
    expect(run.templates['weekday-kill']).toMatchObject({ type: 'Chaos', chaos: { oneShot: true } });
    expect(run.templates['weekday-kill']?.deadlineMs).toBeUndefined();
  });

  it('reads an empty concurrencyPolicy as Forbid and the Chaos Mesh pause annotation as suspend, as Chaos Mesh does', () => {
    const [s] = compile(`
apiVersion: chaos-mesh.org/v1alpha1
kind: Schedule
metadata:
  name: paused
  annotations: { experiment.chaos-mesh.org/pause: "true" }
spec:
  schedule: "@every 1m"
  concurrencyPolicy: ""
  type: PodChaos
  podChaos: { action: pod-kill, mode: one, selector: { labelSelectors: { app: demo } } }
`);
    expect(s).toMatchObject({ concurrencyPolicy: 'Forbid', suspend: true });
  });

  it('compiles every document of a multi-document file in order', () => {
    const docs = compile(`
apiVersion: chaos-mesh.org/v1alpha1
kind: PodChaos
metadata: { name: one }
spec: { action: pod-kill, mode: one, selector: {} }
---
---
apiVersion: chaos-mesh.org/v1alpha1
kind: Schedule
metadata: { name: two }
spec: { schedule: "@hourly", type: PodChaos, podChaos: { action: pod-kill, mode: one, selector: {} } }
`);
    expect(docs.map((d) => d.source.name)).toEqual(['one', 'two']);
    expect(docs.map((d) => d.source.location)).toEqual(['test.yaml:2', 'test.yaml:8']);
  });
});

describe('compiling a Task', () => {
  it("keeps env valueFrom and the Container's other fields for the pod (Kubernetes mode)", () => {
    const yaml = `
apiVersion: chaosflow.dev/v1alpha1
kind: Workflow
metadata: { name: w, namespace: demo }
spec:
  entry: check
  templates:
    - name: check
      templateType: Task
      task:
        container:
          name: check
          image: busybox
          command: [sh, -c, 'echo $POD']
          env:
            - { name: POD, valueFrom: { fieldRef: { fieldPath: metadata.name } } }
            - { name: MODE, value: quick }
          resources: { limits: { memory: 64Mi } }
          volumeMounts: [{ name: scratch, mountPath: /scratch }]
        volumes: [{ name: scratch, emptyDir: {} }]
`;
    // On the worker's host (the default) valueFrom could not be resolved: refused there.
    expect(readManifestText(yaml, 'test.yaml').errors.map((e) => e.code)).toEqual(['TASK_ENV_UNSUPPORTED']);
    const result = readManifestText(yaml, 'test.yaml', 'pod');
    expect(result.errors).toEqual([]);
    expect(result.warnings).toEqual([]);
    const p = result.plans[0];
    if (!p) throw new Error('expected a plan');
    const t = template(p, 'check');
    if (t.type !== 'Task') throw new Error('expected a task');
    expect(t.task.container).toEqual({
      name: 'check',
      image: 'busybox',
      command: ['sh', '-c', 'echo $POD'],
      args: [],
      env: [
        { name: 'POD', value: '', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
        { name: 'MODE', value: 'quick' },
      ],
      more: {
        resources: { limits: { memory: '64Mi' } },
        volumeMounts: [{ name: 'scratch', mountPath: '/scratch' }],
      },
    });
  });
});
