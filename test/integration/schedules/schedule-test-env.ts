/**
 * A Temporal dev server and a chaosflow worker (FAKE fault driver and target resolver: the point here is how
 * schedules start, skip, overlap and cancel runs), plus what schedule tests need: apply a manifest, read the ticks
 * a schedule ran from the FAKE driver's timestamped records, call the CLI actions, and poll.
 */
import type { RunHandle } from '../../../client/start-run.js';
import type { TemporalFlags } from '../../../client/temporal-config.js';
import type { chaosflowRun } from '../../../workflows/run-workflow.js';
import { applySchedule, type ApplyResult } from '../../../client/schedules/apply-schedule.js';
import type { CommandIo } from '../../../cli/commands/schedule/schedule-context.js';
import { readManifestText } from '../../../manifests/read-manifests.js';
import { startInterpreterEnv, type InterpreterEnv } from '../../workflows/interpreter-env.js';

export interface Tick {
  workflowId: string;
  /** The scheduled time, read from the run id (Temporal appends it). */
  scheduledAt: number;
  injects: number[];
  recovers: number[];
}

export interface ScheduleTestEnv {
  env: InterpreterEnv;
  /** The flags a CLI action needs to reach this server and worker. */
  flags: Required<Pick<TemporalFlags, 'address' | 'namespace' | 'taskQueue'>>;
  apply(yaml: string): Promise<ApplyResult>;
  /** The handle of a tick's run, by workflow id. */
  run(workflowId: string): RunHandle;
  /** Every tick of the schedule that reached the FAKE driver, oldest first. */
  ticks(scheduleId: string): Tick[];
  stop(): Promise<void>;
}

export async function startScheduleTestEnv(): Promise<ScheduleTestEnv> {
  const env = await startInterpreterEnv();
  const flags = {
    address: env.temporal.address,
    namespace: env.temporal.namespace,
    taskQueue: env.taskQueue,
  };
  return {
    env,
    flags,
    async apply(yaml) {
      const result = readManifestText(yaml, 'test.yaml');
      if (result.errors.length > 0) throw new Error(result.errors.map((e) => e.message).join('; '));
      const [plan] = result.schedulePlans;
      if (!plan) throw new Error('the manifest is not a Schedule');
      return applySchedule(env.temporal.client, plan, { taskQueue: env.taskQueue });
    },
    run: (workflowId) => env.temporal.client.workflow.getHandle<typeof chaosflowRun>(workflowId),
    ticks(scheduleId) {
      const prefix = `${scheduleId}-`;
      const byRun = new Map<string, Tick>();
      for (const call of env.driver.calls) {
        if (!call.key.startsWith(prefix)) continue;
        const workflowId = call.key.slice(0, call.key.indexOf('/', prefix.length));
        const tick = byRun.get(workflowId) ?? {
          workflowId,
          scheduledAt: Date.parse(workflowId.slice(prefix.length)),
          injects: [],
          recovers: [],
        };
        (call.op === 'inject' ? tick.injects : tick.recovers).push(call.at);
        byRun.set(workflowId, tick);
      }
      return [...byRun.values()].sort((a, b) => a.scheduledAt - b.scheduledAt);
    },
    stop: () => env.stop(),
  };
}

/** Polls until `probe` returns a value other than undefined/false. */
export async function waitFor<T>(
  what: string,
  probe: () => T | undefined | false | Promise<T | undefined | false>,
  timeoutMs = 20_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(200);
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Collects what a CLI action writes. */
export function captureIo(): CommandIo & { out: () => string; err: () => string } {
  const out: string[] = [];
  const err: string[] = [];
  return {
    stdout: (t) => out.push(t),
    stderr: (t) => err.push(t),
    out: () => out.join(''),
    err: () => err.join(''),
  };
}

/** A Chaos Mesh Schedule of a NetworkChaos partition held for `duration` on one FAKE pod named after it. */
export function chaosSchedule(
  name: string,
  options: { schedule?: string; duration?: string; policy?: string; extra?: string } = {},
): string {
  return `apiVersion: chaos-mesh.org/v1alpha1
kind: Schedule
metadata:
  name: ${name}
spec:
  schedule: '${options.schedule ?? '@every 2s'}'
  type: NetworkChaos
  concurrencyPolicy: ${options.policy ?? 'Forbid'}
  ${options.extra ?? ''}
  networkChaos:
    action: partition
    mode: all
    selector:
      pods:
        default: [${name}-pod]
    duration: ${options.duration ?? '500ms'}
`;
}
