/**
 * Small builders for Plans in interpreter tests (the compiler has its own tests; here the point is the
 * interpreter, so plans are written directly and stay short).
 */
import { PLAN_VERSION, type Plan, type PlanTemplate, type RetryPolicy } from '../../common/plan.js';

type Common = { deadlineMs?: number; retry?: RetryPolicy };

export function plan(entry: string, ...templates: PlanTemplate[]): Plan {
  return {
    planVersion: PLAN_VERSION,
    source: { kind: 'Workflow', apiVersion: 'chaosflow.dev/v1alpha1', namespace: 'default', name: 'test' },
    entry,
    templates: Object.fromEntries(templates.map((t) => [t.name, t])),
  };
}

export const serial = (name: string, children: string[], o: Common = {}): PlanTemplate => ({
  type: 'Serial',
  name,
  children,
  ...o,
});

export const parallel = (name: string, children: string[], o: Common = {}): PlanTemplate => ({
  type: 'Parallel',
  name,
  children,
  ...o,
});

export const suspend = (name: string, deadlineMs: number, approval = false): PlanTemplate => ({
  type: 'Suspend',
  name,
  deadlineMs,
  approval,
});

/** A NetworkChaos partition of the given pods in namespace `default` (fake targets, see FakeTargetResolver). */
export const chaos = (
  name: string,
  pods: string[],
  o: Common & { action?: 'partition' | 'pod-kill'; remoteCluster?: string } = {},
): PlanTemplate => ({
  type: 'Chaos',
  name,
  chaos: {
    ...(o.action === 'pod-kill'
      ? {
          kind: 'PodChaos',
          action: 'pod-kill',
          oneShot: true,
          spec: { selector: { pods: { default: pods } }, mode: 'all', action: 'pod-kill' },
        }
      : {
          kind: 'NetworkChaos',
          action: 'partition',
          oneShot: false,
          spec: { selector: { pods: { default: pods } }, mode: 'all', action: 'partition' },
        }),
    ...(o.remoteCluster ? { remoteCluster: o.remoteCluster } : {}),
  },
  ...(o.deadlineMs === undefined ? {} : { deadlineMs: o.deadlineMs }),
  ...(o.retry ? { retry: o.retry } : {}),
});

export const statusCheck = (
  name: string,
  url: string,
  o: Common & {
    mode?: 'Synchronous' | 'Continuous';
    durationMs?: number;
    intervalSeconds?: number;
    failureThreshold?: number;
    successThreshold?: number;
    abort?: boolean;
    statusCode?: { min: number; max: number };
  } = {},
): PlanTemplate => ({
  type: 'StatusCheck',
  name,
  check: {
    mode: o.mode ?? 'Synchronous',
    type: 'HTTP',
    ...(o.durationMs === undefined ? {} : { durationMs: o.durationMs }),
    timeoutSeconds: 1,
    intervalSeconds: o.intervalSeconds ?? 1,
    failureThreshold: o.failureThreshold ?? 3,
    successThreshold: o.successThreshold ?? 1,
    recordsHistoryLimit: 100,
    http: {
      url,
      method: 'GET',
      headers: {},
      criteria: { statusCode: o.statusCode ?? { min: 200, max: 200 } },
    },
  },
  abortWithStatusCheck: o.abort ?? false,
  ...(o.deadlineMs === undefined ? {} : { deadlineMs: o.deadlineMs }),
});

export const task = (
  name: string,
  argv: string[],
  branches: { target: string; expression: string }[] = [],
  o: Common = {},
): PlanTemplate => ({
  type: 'Task',
  name,
  task: { container: { name: 'task', command: argv, args: [], env: [] }, volumes: [], labels: {} },
  branches,
  ...o,
});

/** A Schedule template running a partition of `pods` on `expression`, each tick held for `tickMs`. */
export const cronNode = (
  name: string,
  expression: string,
  pods: string[],
  o: { deadlineMs: number; tickMs: number; policy?: 'Forbid' | 'Allow' | 'Replace' },
): PlanTemplate => ({
  type: 'Schedule',
  name,
  deadlineMs: o.deadlineMs,
  tickDurationMs: o.tickMs,
  schedule: { expression, concurrencyPolicy: o.policy ?? 'Forbid' },
  chaos: {
    kind: 'NetworkChaos',
    action: 'partition',
    oneShot: false,
    spec: { selector: { pods: { default: pods } }, mode: 'all', action: 'partition' },
  },
});
