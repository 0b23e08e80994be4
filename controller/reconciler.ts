/**
 * The plumbing half of the controller: for one object key, read the object from the informer cache, compile it,
 * ask Temporal what its run (or Temporal Schedule) is doing, let the pure decision say what to do
 * (`decide-run.ts`), and do it, in order: the finalizer before a run is started, the run, the messages, the
 * status, the events. Returns when to look again.
 */
import { ScheduleNotFoundError, type Client } from '@temporalio/client';
import type { Logger } from 'pino';
import {
  applySchedule,
  deleteSchedule,
  describeSchedule,
  listScheduleRuns,
  type ScheduleReport,
} from '../client/schedules/index.js';
import { isScheduleError } from '../client/schedules/schedule-errors.js';
import { RECOVERY_FINALIZER } from './annotations.js';
import { decideInvalid, decideRun, type Compiled, type RunDecision } from './decide-run.js';
import type { ObjectInformers } from './informers.js';
import type { ChaosflowObject, KubeWriter } from './kube-writer.js';
import { compileObject } from './object-manifest.js';
import { sameStatus, withCondition, type ObjectStatus } from './object-status.js';
import { RESOURCES, type ResourceKind } from './resource-kinds.js';
import { runIdOf, runUrl, scheduleIdOfObject } from './run-id.js';
import type { KubeEvent } from './status-events.js';
import type { TemporalRuns } from './temporal-runs.js';

export interface ReconcilerSettings {
  taskQueue: string;
  temporalNamespace: string;
  uiBaseUrl: string | undefined;
  /** How often a running object's status is refreshed from its run. */
  refreshMs: number;
  /** How often a Schedule's status (last runs, next fire times) is refreshed. */
  scheduleRefreshMs: number;
}

export class Reconciler {
  constructor(
    private readonly informers: ObjectInformers,
    private readonly kube: KubeWriter,
    private readonly runs: TemporalRuns,
    private readonly client: Client,
    private readonly settings: ReconcilerSettings,
    private readonly logger: Logger,
  ) {}

  async reconcile(key: string): Promise<{ requeueAfterMs?: number }> {
    const [plural, namespace, name] = key.split('/');
    const resource = RESOURCES.find((r) => r.plural === plural);
    if (!resource || !namespace || !name) return {};
    const object = this.informers.get(resource, namespace, name);
    if (!object) return {};
    return resource.kind === 'Schedule'
      ? this.#reconcileSchedule(resource, object)
      : this.#reconcileRun(resource, object);
  }

  async #reconcileRun(resource: ResourceKind, object: ChaosflowObject): Promise<{ requeueAfterMs?: number }> {
    const compiledObject = compileObject(resource, object);
    const compiled: Compiled = compiledObject.plan
      ? { ok: true, plan: compiledObject.plan, warnings: compiledObject.warnings }
      : { ok: false, errors: compiledObject.errors };
    const runId = runIdOf(object.metadata);
    const observation = await this.runs.observe(runId);
    const decision = decideRun(
      {
        generation: object.metadata.generation ?? 0,
        deleting: Boolean(object.metadata.deletionTimestamp),
        finalizers: object.metadata.finalizers ?? [],
        annotations: object.metadata.annotations,
        status: object.status,
      },
      compiled,
      observation,
      {
        runId,
        url: this.settings.uiBaseUrl
          ? runUrl(this.settings.uiBaseUrl, this.settings.temporalNamespace, runId)
          : undefined,
        now: new Date().toISOString(),
        refreshMs: this.settings.refreshMs,
      },
    );
    await this.#carryOut(resource, object, decision, runId, compiledObject.text);
    return decision.requeueAfterMs === undefined ? {} : { requeueAfterMs: decision.requeueAfterMs };
  }

  async #carryOut(
    resource: ResourceKind,
    object: ChaosflowObject,
    decision: RunDecision,
    runId: string,
    manifest: string,
  ): Promise<void> {
    // The finalizer is in place before anything is injected, so a deletion always waits for recovery.
    if (decision.finalizer === 'add') await this.kube.setFinalizer(resource, object, true);
    if (decision.start) {
      await this.runs.start(runId, decision.start, manifest);
      this.logger.info({ object: objectName(resource, object), runId }, 'started the run');
    }
    for (const message of decision.messages) {
      try {
        await this.runs.send(runId, message);
      } catch (err) {
        // The run may have ended between the observation and the message: the next look decides again.
        this.logger.warn({ err, runId, message: message.type }, 'could not send a message to the run');
      }
    }
    if (decision.status) await this.kube.setStatus(resource, object, decision.status);
    await this.kube.record(resource, object, decision.events);
    if (decision.finalizer === 'remove') await this.kube.setFinalizer(resource, object, false);
  }

  /** A Schedule: its Temporal Schedule follows the object; deleting the object deletes it, aborting its ticks. */
  async #reconcileSchedule(
    resource: ResourceKind,
    object: ChaosflowObject,
  ): Promise<{ requeueAfterMs?: number }> {
    const scheduleId = scheduleIdOfObject(object.metadata);
    const hasFinalizer = (object.metadata.finalizers ?? []).includes(RECOVERY_FINALIZER);
    const now = new Date().toISOString();
    if (object.metadata.deletionTimestamp) {
      if (!hasFinalizer) return {};
      const deleted = await deleteSchedule(this.client, scheduleId, {
        abortRunning: true,
        reason: 'the Schedule object was deleted',
      }).catch((err: unknown) => {
        if (isScheduleError(err) && err.code === 'SCHEDULE_NOT_FOUND') return undefined;
        throw err;
      });
      if (deleted) {
        await this.kube.record(resource, object, [
          {
            type: 'Normal',
            reason: 'ScheduleDeleted',
            message: `deleted Temporal Schedule ${scheduleId}; aborting ${deleted.running.length} running tick(s)`,
          },
        ]);
      }
      const { running } = await listScheduleRuns(this.client, scheduleId, 0);
      if (running.length > 0) return { requeueAfterMs: this.settings.refreshMs };
      await this.kube.setFinalizer(resource, object, false);
      return {};
    }

    const compiled = compileObject(resource, object);
    const previous = object.status;
    if (!compiled.schedulePlan) {
      const invalid = decideInvalid(
        { generation: object.metadata.generation ?? 0, status: previous },
        compiled.errors,
        now,
      );
      if (!sameStatus(previous, invalid.status)) await this.kube.setStatus(resource, object, invalid.status);
      await this.kube.record(resource, object, invalid.events);
      return {};
    }
    if (!hasFinalizer) await this.kube.setFinalizer(resource, object, true);
    const applied = await applySchedule(this.client, compiled.schedulePlan, {
      taskQueue: this.settings.taskQueue,
    });
    const events: KubeEvent[] = [];
    if (applied.outcome !== 'unchanged') {
      events.push({
        type: 'Normal',
        reason: applied.outcome === 'created' ? 'ScheduleCreated' : 'ScheduleUpdated',
        message: `${applied.outcome} Temporal Schedule ${scheduleId}${applied.paused ? ' (paused)' : ''}`,
      });
    }
    const report = await describeSchedule(this.client, scheduleId, { runs: 5 }).catch((err: unknown) => {
      if (err instanceof ScheduleNotFoundError) return undefined;
      throw err;
    });
    const status = scheduleStatus(previous, object, report, compiled.warnings, now);
    if (!sameStatus(previous, status)) await this.kube.setStatus(resource, object, status);
    await this.kube.record(resource, object, events);
    return { requeueAfterMs: this.settings.scheduleRefreshMs };
  }
}

function scheduleStatus(
  previous: ObjectStatus | undefined,
  object: ChaosflowObject,
  report: ScheduleReport | undefined,
  warnings: readonly string[],
  now: string,
): ObjectStatus {
  return {
    ...previous,
    phase: report?.paused ? 'Pending' : 'Running',
    observedGeneration: object.metadata.generation ?? 0,
    scheduleId: scheduleIdOfObject(object.metadata),
    paused: report?.paused ?? false,
    conditions: withCondition(
      previous?.conditions,
      {
        type: 'Ready',
        status: 'True',
        reason: 'Valid',
        message: warnings.length > 0 ? warnings.join('\n') : 'the manifest is valid',
      },
      now,
    ),
    nextFireTimes: report?.nextFireTimes.slice(0, 5) ?? [],
    lastRuns: [...(report?.running ?? []), ...(report?.recentRuns ?? [])].slice(0, 5).map((r) => ({
      workflowId: r.workflowId,
      phase: r.phase ?? r.temporalStatus,
      startedAt: r.startedAt,
      ...(r.closedAt ? { endedAt: r.closedAt } : {}),
    })),
  };
}

function objectName(resource: ResourceKind, object: ChaosflowObject): string {
  return `${resource.kind} ${object.metadata.namespace}/${object.metadata.name}`;
}
