/**
 * The identity of a chaosflow Schedule on Temporal: the schedule id `chaosflow/<namespace>/<name>`, and the
 * `[namespace/]name` (or full id) a person types on the command line.
 */
import { ScheduleError } from './schedule-errors.js';

export const SCHEDULE_ID_PREFIX = 'chaosflow/';
export const DEFAULT_SCHEDULE_NAMESPACE = 'default';

export interface ScheduleRef {
  namespace: string;
  name: string;
  scheduleId: string;
}

export function scheduleIdOf(namespace: string, name: string): string {
  return `${SCHEDULE_ID_PREFIX}${namespace}/${name}`;
}

/** `name`, `namespace/name` or the full id `chaosflow/namespace/name`. */
export function parseScheduleRef(ref: string): ScheduleRef {
  const text = ref.trim();
  const bare = text.startsWith(SCHEDULE_ID_PREFIX) ? text.slice(SCHEDULE_ID_PREFIX.length) : text;
  const parts = bare.split('/');
  const [namespace, name] =
    parts.length === 1 ? [DEFAULT_SCHEDULE_NAMESPACE, parts[0]] : parts.length === 2 ? parts : [];
  if (!namespace || !name) {
    throw new ScheduleError('SCHEDULE_BAD_REF', `'${ref}' does not name a schedule`, {
      ref,
      hint: 'Give the Schedule manifest as name or namespace/name (see `chaosflow schedule list`).',
    });
  }
  return { namespace, name, scheduleId: scheduleIdOf(namespace, name) };
}

/** The ref of a schedule id of ours, or undefined when the id does not follow the convention. */
export function refOfScheduleId(scheduleId: string): ScheduleRef | undefined {
  if (!scheduleId.startsWith(SCHEDULE_ID_PREFIX)) return undefined;
  const parts = scheduleId.slice(SCHEDULE_ID_PREFIX.length).split('/');
  if (parts.length !== 2 || !parts[0] || !parts[1]) return undefined;
  return { namespace: parts[0], name: parts[1], scheduleId };
}
