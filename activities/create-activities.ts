/**
 * The activities the worker registers, built from their dependencies (the composition root passes real ones;
 * tests pass named fakes where the point is orchestration).
 */
import { Context, heartbeat } from '@temporalio/activity';
import type {
  ApplyTargetStateInput,
  ApplyTargetStateResult,
  ChaosflowActivities,
  FaultBatchResult,
} from './contract.js';
import { classified } from './classify-error.js';
import { ActivityError } from './errors.js';
import { callDriver, type FaultDrivers } from './faults/fault-driver.js';
import { httpProbe } from './probes/http-probe.js';
import { runProbe, type ProbeDeps } from './probes/run-probe.js';
import { watchStopCondition } from './run-guards/watch-stop-condition.js';
import { sendNotification } from './run-guards/send-notification.js';
import { runHostTask } from './tasks/host-task.js';
import type { RunAsUser } from './tasks/run-as.js';
import type { TargetResolver } from './targets/target-resolver.js';

export interface ActivityDeps {
  targets: TargetResolver;
  drivers: FaultDrivers;
  /** What probes read beyond their own settings (the default Prometheus, the cluster). */
  probes?: ProbeDeps;
  /** The user host-mode Tasks run as (Command probes take theirs from `probes.runAs`). */
  runAs?: RunAsUser;
  /** Sends a pod's merged network/IO/HTTP state to its daemon (for the per-target entity workflow). */
  applyTargetState: (input: ApplyTargetStateInput, signal: AbortSignal) => Promise<ApplyTargetStateResult>;
}

export function createActivities(deps: ActivityDeps): ChaosflowActivities {
  const signal = () => Context.current().cancellationSignal;
  return {
    resolveTargets: classified((input) => deps.targets.resolve(input)),
    injectFaults: classified(async (batch) =>
      retryTransient('inject', await callDriver(deps.drivers, 'inject', batch, signal())),
    ),
    recoverFaults: classified(async (batch) =>
      retryTransient('recover', await callDriver(deps.drivers, 'recover', batch, signal())),
    ),
    probeHttp: classified((input) => httpProbe(input, signal())),
    runProbe: classified((input) => runProbe(input, deps.probes ?? {}, signal())),
    watchStopCondition: classified(({ condition }) =>
      watchStopCondition(
        condition,
        deps.probes?.prometheusUrl,
        signal(),
        (details) => heartbeat(details),
        (ms) => Context.current().sleep(ms),
      ),
    ),
    notify: classified(({ notification, notice }) => sendNotification(notification, notice, signal())),
    runTask: classified((input) => runHostTask(input, signal(), () => heartbeat(), deps.runAs)),
    applyTargetState: classified((input) => deps.applyTargetState(input, signal())),
  };
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
