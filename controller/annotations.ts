/**
 * The annotations that act on a running object (Chaos Mesh's and chaosflow's own), and the finalizer that holds
 * an object until its faults are recovered. The controller honours them itself, so they are taken out of the
 * manifest before it is compiled.
 */

/** Chaos Mesh: aborts a Workflow (every node ends; every fault is recovered). */
export const CHAOS_MESH_ABORT = 'workflow.chaos-mesh.org/abort';
/** Chaos Mesh: pauses an experiment. On a Schedule it suspends the schedule (the compiler maps it). */
export const CHAOS_MESH_PAUSE = 'experiment.chaos-mesh.org/pause';
/** Chaos Mesh: `forced` lets a chaos object go even when its recovery did not finish. */
export const CHAOS_MESH_CLEAN_FINALIZER = 'chaos-mesh.chaos-mesh.org/cleanFinalizer';

/** chaosflow: `"true"` aborts the run (any kind). */
export const ABORT = 'chaosflow.dev/abort';
/** chaosflow: `"true"` pauses the run (no new node, no new inject; held faults stay); removing it resumes. */
export const PAUSE = 'chaosflow.dev/pause';
/** chaosflow: comma-separated approval gates (node id or template name) to approve. */
export const APPROVE = 'chaosflow.dev/approve';
/** chaosflow: `"true"` drops the finalizer when recovery cannot finish, recording that faults may remain. */
export const FORCE_CLEAN = 'chaosflow.dev/force-clean';

/** Held by every object whose run was started, until every fault of the run is recovered. */
export const RECOVERY_FINALIZER = 'chaosflow.dev/recovery';

/** Annotations the controller acts on; the compiler does not see them (the Schedule's pause excepted). */
export const CONTROLLER_ANNOTATIONS = [
  CHAOS_MESH_ABORT,
  CHAOS_MESH_PAUSE,
  CHAOS_MESH_CLEAN_FINALIZER,
  ABORT,
  PAUSE,
  APPROVE,
  FORCE_CLEAN,
] as const;

export interface DesiredControl {
  abort: boolean;
  paused: boolean;
  approve: readonly string[];
  forceClean: boolean;
}

/** What the object's annotations ask of its run. */
export function desiredControl(annotations: Readonly<Record<string, string>> | undefined): DesiredControl {
  const a = annotations ?? {};
  return {
    abort: a[CHAOS_MESH_ABORT] === 'true' || a[ABORT] === 'true',
    paused: a[CHAOS_MESH_PAUSE] === 'true' || a[PAUSE] === 'true',
    approve: (a[APPROVE] ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
    forceClean: a[FORCE_CLEAN] === 'true' || a[CHAOS_MESH_CLEAN_FINALIZER] === 'forced',
  };
}
