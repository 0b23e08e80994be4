/**
 * The activities the worker registers, built from their dependencies (the composition root passes real ones;
 * tests pass named fakes where the point is orchestration). Every execution logs through its own child logger
 * (run, node, target: `activity-logger.ts`); inject, recover and probes are measured (`telemetry/`).
 */
import { Context, heartbeat } from '@temporalio/activity';
import type { Client } from '@temporalio/client';
import { pino, type Logger } from 'pino';
import { createMetricRegistry } from '../telemetry/metric-registry.js';
import { createWorkerMetrics, type WorkerMetrics } from '../telemetry/worker-metrics.js';
import type {
  ApplyTargetStateInput,
  ApplyTargetStateResult,
  ChaosflowActivities,
  FaultBatch,
  FaultBatchResult,
} from './contract.js';
import { activityLogger } from './activity-logger.js';
import { classified } from './classify-error.js';
import { ActivityError } from './errors.js';
import { callDriver, type FaultDrivers } from './faults/fault-driver.js';
import { createHaltGuard } from './halt-guard.js';
import { readOrphan } from './janitor/read-orphan.js';
import type { DaemonConnector } from './faults/daemon-connector.js';
import { holdFaultLeases } from './leases/hold-fault-leases.js';
import { observeFaultCall } from './observed-faults.js';
import { observeNotification } from './observed-notifications.js';
import { observeProbe } from './observed-probes.js';
import { httpProbe } from './probes/http-probe.js';
import { runProbe, type ProbeDeps } from './probes/run-probe.js';
import { watchStopCondition } from './run-guards/watch-stop-condition.js';
import { sendNotification } from './run-guards/send-notification.js';
import { runHostTask } from './tasks/host-task.js';
import type { PodTaskProgress, PodTaskRunner } from './tasks/pod-task.js';
import type { RunAsUser } from './tasks/run-as.js';
import type { TargetResolver } from './targets/target-resolver.js';

export interface ActivityDeps {
  targets: TargetResolver;
  drivers: FaultDrivers;
  /** What probes read beyond their own settings (the default Prometheus, the cluster). */
  probes?: ProbeDeps;
  /** The user host-mode Tasks run as (Command probes take theirs from `probes.runAs`). */
  runAs?: RunAsUser;
  /** Kubernetes mode: Tasks run as pods in the Workflow's namespace instead of on the worker's host. */
  podTasks?: PodTaskRunner;
  /** Sends a pod's merged network/IO/HTTP state to its daemon (for the per-target entity workflow). */
  applyTargetState: (input: ApplyTargetStateInput, signal: AbortSignal) => Promise<ApplyTargetStateResult>;
  /** The worker's Temporal client: the janitor reads closed runs through it, the lease renewal live ones. */
  client?: Client;
  /** How daemons are reached for lease renewals (the drivers' own connector). */
  daemons?: DaemonConnector;
  /** The worker's logger; default silent. */
  logger?: Logger;
  /** Where inject, recover and probes are measured; default a registry nobody serves. */
  metrics?: WorkerMetrics;
}

/** Well inside the inject stub's heartbeat timeout (workflows/activity-stubs.ts). */
const INJECT_HEARTBEAT_MS = 2_000;

export function createActivities(deps: ActivityDeps): ChaosflowActivities {
  const logger = deps.logger ?? pino({ level: 'silent' });
  const metrics = deps.metrics ?? createWorkerMetrics(createMetricRegistry());
  const signal = () => Context.current().cancellationSignal;
  const refuseIfHalted = deps.client ? createHaltGuard(deps.client) : () => Promise.resolve();
  const faultCall = (op: 'inject' | 'recover', before?: () => Promise<void>) =>
    classified(async (batch: FaultBatch) => {
      await before?.();
      const { kind, action } = batch.chaos;
      const log = activityLogger(logger, { node: batch.nodeId, kind, action, endpoint: batch.endpoint });
      // An inject heartbeats, so that an abort reaches it (its calls stop) and the run, which waits for it to
      // end before recovering, learns soon of a worker that died under it.
      const beat = op === 'inject' ? setInterval(() => heartbeat(), INJECT_HEARTBEAT_MS) : undefined;
      try {
        const result = await observeFaultCall(op, batch, metrics.faults, log, () =>
          callDriver(deps.drivers, op, batch, signal()),
        );
        return retryTransient(op, result);
      } finally {
        clearInterval(beat);
      }
    });
  return {
    resolveTargets: classified(async (input) => {
      const log = activityLogger(logger, { node: input.nodeId, kind: input.chaos.kind });
      const resolved = await deps.targets.resolve(input);
      const targets = resolved.groups.flatMap((g) => g.targets.map((t) => t.key));
      log.info({ targets: targets.length, daemons: resolved.groups.length }, 'targets resolved');
      log.debug({ targets }, 'resolved target keys');
      return resolved;
    }),
    injectFaults: faultCall('inject', refuseIfHalted),
    recoverFaults: faultCall('recover'),
    probeHttp: classified((input) => {
      const log = activityLogger(logger, { ...nodeOf(input), probeType: 'HTTP' });
      return observeProbe('HTTP', metrics.probes, log, signal(), () => httpProbe(input, signal()));
    }),
    runProbe: classified((input) => {
      const type = input.probe.type;
      const log = activityLogger(logger, { ...nodeOf(input), probeType: type });
      return observeProbe(type, metrics.probes, log, signal(), () =>
        runProbe(input, deps.probes ?? {}, signal()),
      );
    }),
    watchStopCondition: classified(async ({ condition }) => {
      const log = activityLogger(logger, { stopCondition: condition.name, watch: condition.watch.type });
      const check = await watchStopCondition(
        condition,
        deps.probes?.prometheusUrl,
        signal(),
        (details) => heartbeat(details),
        (ms) => Context.current().sleep(ms),
      );
      metrics.guards.stopped(condition.watch.type, check.fired ? 'fired' : 'unavailable');
      log.warn(
        { fired: check.fired, unavailable: check.unavailable, detail: check.detail },
        'stop condition met',
      );
      return check;
    }),
    notify: classified(({ notification, notice }) =>
      observeNotification(
        notice.event,
        metrics.guards,
        activityLogger(logger, { notification: notification.name, event: notice.event }),
        () => sendNotification(notification, notice, signal()),
      ),
    ),
    runTask: classified(async (input) => {
      const log = activityLogger(logger, { node: input.nodeId });
      const result = deps.podTasks
        ? await deps.podTasks(
            input,
            signal(),
            (progress) => heartbeat(progress),
            Context.current().info.heartbeatDetails as PodTaskProgress | undefined,
          )
        : await runHostTask(input, signal(), () => heartbeat(), deps.runAs);
      log.info({ exitCode: result.exitCode }, 'task finished');
      return result;
    }),
    applyTargetState: classified(async (input) => {
      const log = activityLogger(logger, {
        family: input.family,
        target: input.target.key,
        endpoint: input.endpoint,
      });
      const result = await deps.applyTargetState(input, signal());
      if (result.warning) log.warn({ reason: result.warning }, 'target state applied');
      else log.info('target state applied');
      return result;
    }),
    readOrphan: classified(async (input) => {
      if (!deps.client) {
        throw new ActivityError('INVALID_INPUT', 'this worker has no Temporal client to read runs');
      }
      return readOrphan(deps.client, input);
    }),
    holdFaultLeases: classified(async (input) => {
      if (!deps.client || !deps.daemons) {
        throw new ActivityError(
          'INVALID_INPUT',
          'this worker has no Temporal client or daemons to renew leases',
        );
      }
      await holdFaultLeases(
        input,
        { client: deps.client, connector: deps.daemons, logger: activityLogger(logger) },
        (details) => heartbeat(details),
        (ms) => Context.current().sleep(ms),
      );
    }),
  };
}

/** The `node` log field of an input that names its node. */
function nodeOf(input: { nodeId?: string }): { node?: string } {
  return input.nodeId === undefined ? {} : { node: input.nodeId };
}

/**
 * A per-target failure that may pass on its own makes the whole batch throw, so Temporal retries it (inject and
 * recover are idempotent per target); permanent failures are returned for the workflow to report.
 */
function retryTransient(op: string, result: FaultBatchResult): FaultBatchResult {
  const transient = result.results.filter((r) => !r.ok && r.retryable !== false);
  if (transient.length > 0) {
    const detail = transient.map((r) => `${r.key}: ${r.message ?? 'failed'}`).join('; ');
    throw new ActivityError('UNAVAILABLE', `${op} failed on ${transient.length} target(s): ${detail}`);
  }
  return result;
}
