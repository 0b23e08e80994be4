/**
 * The Temporal visibility query of `chaosflow list`: chaosflow runs filtered by the search attributes every run
 * carries (`ChaosflowPhase`, `ChaosflowKind`, `ChaosflowNamespace`/`ChaosflowName`, `ChaosflowSchedule`). The
 * same text works in the Temporal UI's search box; `--print-query` shows it.
 */
import { SUPPORTED_CHAOS_KINDS } from '../common/chaos-kinds.js';
import { RUN_WORKFLOW_TYPE } from '../common/run-input.js';
import { PHASES } from '../common/run-status.js';
import { parseScheduleRef } from '../client/schedules/schedule-id.js';
import { CliError } from './cli-error.js';
import { EXIT } from './exit-codes.js';

export interface RunListFilter {
  phase?: string;
  kind?: string;
  /** `name` or `namespace/name` of the manifest. */
  name?: string;
  /** A Schedule's `name`, `namespace/name` or id; or the id of a Schedule node (`<run>/<node>`). */
  schedule?: string;
}

const KINDS = ['Workflow', ...SUPPORTED_CHAOS_KINDS] as const;

export function runListQuery(filter: RunListFilter): string {
  const clauses = [`WorkflowType = '${RUN_WORKFLOW_TYPE}'`];
  if (filter.phase !== undefined)
    clauses.push(`ChaosflowPhase = '${quote(oneOf('phase', filter.phase, PHASES))}'`);
  if (filter.kind !== undefined)
    clauses.push(`ChaosflowKind = '${quote(oneOf('kind', filter.kind, KINDS))}'`);
  if (filter.name !== undefined) {
    const [namespace, name] = filter.name.includes('/')
      ? filter.name.split('/', 2)
      : [undefined, filter.name];
    if (namespace) clauses.push(`ChaosflowNamespace = '${quote(namespace)}'`);
    clauses.push(`ChaosflowName = '${quote(name ?? '')}'`);
  }
  if (filter.schedule !== undefined)
    clauses.push(`ChaosflowSchedule = '${quote(scheduleValue(filter.schedule))}'`);
  return clauses.join(' AND ');
}

/** A Temporal Schedule's runs carry its id; a Schedule node's ticks carry `<run id>/<node id>` (more slashes). */
function scheduleValue(ref: string): string {
  const bare = ref.startsWith('chaosflow/') ? ref.slice('chaosflow/'.length) : ref;
  if (bare.split('/').length > 2) return ref;
  try {
    return parseScheduleRef(ref).scheduleId;
  } catch (err) {
    throw new CliError(
      `--schedule: '${ref}' names no schedule; give name, namespace/name or its id`,
      EXIT.usage,
      {
        cause: err,
      },
    );
  }
}

/** Matches case-insensitively (`--phase failed`), returns the canonical spelling. */
function oneOf(option: string, value: string, allowed: readonly string[]): string {
  const found = allowed.find((a) => a.toLowerCase() === value.toLowerCase());
  if (!found) throw new CliError(`--${option} ${value}: use one of ${allowed.join(', ')}`, EXIT.usage);
  return found;
}

function quote(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/'/g, "\\'");
}
