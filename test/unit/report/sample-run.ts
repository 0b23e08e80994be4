/**
 * A finished game day as the workflow reports it: a Serial entry with a StatusCheck, a chaos node with two
 * targets and two attached probes (weights 1 and 3), a stop condition that ended it, and webhook deliveries (one
 * given up). Names carry markup, so every renderer's escaping is exercised.
 */
import type { Plan } from '../../../common/plan.js';
import type { FaultEntry, NodeStatus, RunStatus } from '../../../common/run-status.js';

const T0 = Date.parse('2026-01-05T10:00:00.000Z');
export const at = (s: number): string => new Date(T0 + s * 1000).toISOString();

function node(partial: Partial<NodeStatus> & Pick<NodeStatus, 'id' | 'template' | 'type'>): NodeStatus {
  return { children: [], phase: 'Succeeded', attempt: 1, errors: [], ...partial };
}

export const EVIL = '<img src=x onerror="alert(1)">&\'';

export function sampleStatus(): RunStatus {
  return {
    workflowId: 'chaosflow/default/game-day/20260105T100000Z-abcd',
    source: { kind: 'Workflow', namespace: 'default', name: 'game-day' },
    phase: 'Aborted',
    paused: false,
    abortReason: 'stop condition error-budget fired',
    stoppedBy: { condition: 'error-budget', at: at(25), detail: `alert ${EVIL} firing` },
    startedAt: at(0),
    endedAt: at(30),
    notifications: [
      { notification: 'team', event: 'Started', at: at(0.5), ok: true },
      { notification: 'team', event: 'Aborted', at: at(25.5), ok: true },
      { notification: 'incidents', event: 'Aborted', at: at(29), ok: false, error: `HTTP 500 ${EVIL}` },
    ],
    entry: 'game-day',
    nodes: {
      'game-day': node({
        id: 'game-day',
        template: 'game-day',
        type: 'Serial',
        children: ['game-day/steady', `game-day/${EVIL}`],
        phase: 'Aborted',
        reason: 'WorkflowAborted',
        startedAt: at(0),
        endedAt: at(30),
      }),
      'game-day/steady': node({
        id: 'game-day/steady',
        template: 'steady',
        type: 'StatusCheck',
        parent: 'game-day',
        startedAt: at(0),
        endedAt: at(3),
        passed: true,
        probes: [1, 2, 3].map((s) => ({
          at: at(s),
          outcome: 'Success',
          detail: '200',
          durationMs: 4,
          value: '200',
        })),
      }),
      [`game-day/${EVIL}`]: node({
        id: `game-day/${EVIL}`,
        template: EVIL,
        type: 'Chaos',
        kind: 'NetworkChaos',
        action: 'partition',
        parent: 'game-day',
        phase: 'Aborted',
        reason: 'WorkflowAborted',
        startedAt: at(4),
        endedAt: at(28),
        targets: ['default/demo-0/server', 'default/demo-1/server'],
        probeResults: {
          reachable: [{ at: at(5), outcome: 'Success', detail: '200', durationMs: 3, probe: 'reachable' }],
          'error-rate': [
            { at: at(10), outcome: 'Success', detail: 'ok', durationMs: 9, value: '0', probe: 'error-rate' },
            {
              at: at(20),
              outcome: 'Failure',
              detail: `value ${EVIL}`,
              durationMs: 9,
              value: '7',
              probe: 'error-rate',
            },
          ],
        },
      }),
    },
  };
}

export function samplePlan(): Plan {
  const http = {
    url: 'http://10.0.0.1/',
    method: 'GET' as const,
    headers: {},
    criteria: { statusCode: { min: 200, max: 200 } },
  };
  return {
    planVersion: 1,
    source: {
      kind: 'Workflow',
      apiVersion: 'chaos-mesh.org/v1alpha1',
      namespace: 'default',
      name: 'game-day',
    },
    entry: 'game-day',
    stopConditions: [
      {
        name: 'error-budget',
        watch: { type: 'Alert', alert: 'ErrorBudgetBurn', labels: {} },
        intervalMs: 5_000,
        onUnavailable: 'Continue',
      },
    ],
    templates: {
      'game-day': { type: 'Serial', name: 'game-day', children: ['steady', EVIL] },
      steady: {
        type: 'StatusCheck',
        name: 'steady',
        abortWithStatusCheck: true,
        check: {
          type: 'HTTP',
          http,
          mode: 'Synchronous',
          timeoutSeconds: 1,
          intervalSeconds: 1,
          failureThreshold: 3,
          successThreshold: 3,
          recordsHistoryLimit: 100,
        },
      },
      [EVIL]: {
        type: 'Chaos',
        name: EVIL,
        chaos: { kind: 'NetworkChaos', action: 'partition', oneShot: false, spec: {} as never },
        probes: [
          {
            type: 'HTTP',
            http,
            name: 'reachable',
            mode: 'SOT',
            intervalSeconds: 1,
            timeoutSeconds: 1,
            retries: 0,
            stopOnFailure: false,
            weight: 1,
          },
          {
            type: 'Prometheus',
            prometheus: { query: 'up', criteria: { compare: { op: '<', value: 1 } } },
            name: 'error-rate',
            mode: 'Continuous',
            intervalSeconds: 10,
            timeoutSeconds: 1,
            retries: 0,
            stopOnFailure: false,
            weight: 3,
          },
        ],
      },
    },
  };
}

export function sampleFaults(): FaultEntry[] {
  const nodeId = `game-day/${EVIL}`;
  return ['default/demo-0/server', 'default/demo-1/server'].map((target, i) => ({
    key: `chaosflow/default/game-day/20260105T100000Z-abcd/${nodeId}/${target}`,
    nodeId,
    kind: 'NetworkChaos',
    action: 'partition',
    target,
    endpoint: '127.0.0.1:31767',
    state: 'Recovered',
    injectedAt: at(6 + i),
    recoveredAt: at(27),
    recoverAttempts: 1,
  }));
}
