/**
 * The SchedulePlan: the compiled, validated and defaulted form of a `Schedule` manifest. Plain JSON like the
 * Plan. Produced by `manifests/compile.ts`; turned into a Temporal Schedule by the CLI/controller, whose
 * action starts `chaosflowRun` with `run` on every tick.
 */
import type { ChaosKind } from './chaos-kinds.js';
import type { Plan, PlanSource } from './plan.js';

export const SCHEDULE_PLAN_VERSION = 1;

export interface SchedulePlan {
  schedulePlanVersion: typeof SCHEDULE_PLAN_VERSION;
  source: SchedulePlanSource;
  /** The cron string exactly as written (robfig dialect: 5 or 6 fields, descriptors, `@every`, `TZ=`). */
  schedule: string;
  /** Default `Forbid`. `Replace` is a chaosflow extension (cancel the running tick, which recovers its faults). */
  concurrencyPolicy: 'Forbid' | 'Allow' | 'Replace';
  /** How late a tick may still start; absent means no limit (Chaos Mesh's null). */
  startingDeadlineSeconds?: number;
  /** Finished runs to keep; absent means Chaos Mesh's 0 (keep none). */
  historyLimit?: number;
  /** chaosflow extension: IANA zone of the cron fields. Absent: a `TZ=` prefix of `schedule`, else UTC. */
  timezone?: string;
  /** chaosflow extension: each tick starts after a random delay of up to this many milliseconds. */
  jitterMs?: number;
  /** chaosflow extension: create the schedule paused. */
  suspend: boolean;
  /** What each tick runs: `Workflow` or the chaos kind of `spec.type`. */
  type: 'Workflow' | ChaosKind;
  /**
   * The plan each tick runs: the embedded workflow, or a one-template plan whose template (named after the
   * schedule) holds the chaos for its `duration`. Its source names the schedule, with `kind` = `type`.
   */
  run: Plan;
}

export interface SchedulePlanSource extends Omit<PlanSource, 'kind'> {
  kind: 'Schedule';
}
