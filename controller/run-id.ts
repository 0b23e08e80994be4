/**
 * The Temporal ids of an object's run and schedule, derived from the object itself: the run's from its uid, so a
 * restarted or duplicated controller (or a recreated object of the same name) can never start a run twice or
 * adopt another object's run; the schedule's as the CLI names it (`chaosflow schedule` commands work on it).
 */
import { scheduleIdOf } from '../client/schedules/schedule-id.js';

export interface ObjectRef {
  readonly namespace: string;
  readonly name: string;
  readonly uid: string;
}

export function runIdOf(object: ObjectRef): string {
  return `chaosflow/${object.namespace}/${object.name}/k8s-${object.uid}`;
}

export function scheduleIdOfObject(object: ObjectRef): string {
  return scheduleIdOf(object.namespace, object.name);
}

/** The run's page in the Temporal UI. */
export function runUrl(uiBaseUrl: string, temporalNamespace: string, workflowId: string): string {
  return `${uiBaseUrl.replace(/\/+$/, '')}/namespaces/${encodeURIComponent(temporalNamespace)}/workflows/${encodeURIComponent(workflowId)}`;
}
