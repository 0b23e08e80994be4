/**
 * What the checks find in manifests: errors (the document is refused) and warnings (it is accepted, but
 * something the user wrote will not do what they may expect). Both have one shape: a stable `code` (scripts
 * and tests match on it), the JSON pointer of the field it is about, what it is about and how to fix or avoid
 * it; `file`, `line` and `col` are added once the pointer is mapped back to the YAML source.
 */

export const MANIFEST_ERROR_CODES = [
  // Reading and parsing
  'FILE_UNREADABLE',
  'FILE_EMPTY',
  'YAML_SYNTAX',
  'YAML_DUPLICATE_KEY',
  'DOCUMENT_NOT_OBJECT',
  // Input limits (input-limits.ts, yaml-structure.ts): checked before values are read
  'FILE_TOO_LARGE',
  'YAML_TOO_DEEP',
  'YAML_ALIAS_INVALID',
  'DOCUMENT_TOO_LARGE',
  'TOO_MANY_ERRORS',
  // Which kind a document is
  'KIND_MISSING',
  'KIND_UNKNOWN',
  'KIND_UNSUPPORTED',
  // JSON Schema
  'SCHEMA_UNKNOWN_FIELD',
  'SCHEMA_REQUIRED',
  'SCHEMA_TYPE',
  'SCHEMA_ENUM',
  'SCHEMA_RANGE',
  'SCHEMA_PATTERN',
  'SCHEMA_SIZE',
  'SCHEMA_INVALID',
  // Workflow structure
  'ENTRY_NOT_FOUND',
  'CHILD_NOT_FOUND',
  'BRANCH_TARGET_NOT_FOUND',
  'TEMPLATE_CYCLE',
  'TEMPLATE_GRAPH_TOO_LARGE',
  'TEMPLATE_NAME_DUPLICATE',
  'TEMPLATE_NAME_INVALID',
  'PAYLOAD_MISSING',
  'PAYLOAD_MISMATCH',
  'SUSPEND_NO_DEADLINE',
  'SCHEDULE_NO_DEADLINE',
  'CHAOS_DURATION_IN_WORKFLOW',
  'CHAOS_NO_DEADLINE',
  // Values
  'SELECTOR_VALUE_MISSING',
  'SELECTOR_VALUE_INVALID',
  'SELECTOR_VALUE_UNEXPECTED',
  'DURATION_NOT_POSITIVE',
  'PERCENT_OUT_OF_RANGE',
  'CRON_INVALID',
  'TIMEZONE_INVALID',
  'TIMEZONE_CONFLICT',
  'STATUS_CODE_INVALID',
  'URL_INVALID',
  'BRANCH_EXPRESSION_INVALID',
  // Chaos Mesh webhook rules per kind
  'ACTION_FIELD_MISSING',
  'NETWORK_TARGET_REQUIRED',
  'NETWORK_EXTERNAL_TARGETS_DIRECTION',
  'STRESS_NO_STRESSOR',
  // A Task on the worker's host cannot resolve env valueFrom (host-task-checks.ts)
  'TASK_ENV_UNSUPPORTED',
  // A field no driver honours, which would change where or whether a fault lands (unhonoured-fields.ts)
  'FIELD_UNSUPPORTED',
  // Probes: StatusCheck types and chaos templates' probes (probe-checks.ts)
  'PROBE_SETTINGS_MISSING',
  'PROBE_SETTINGS_MISPLACED',
  'PROBE_REGEX_INVALID',
  'PROBE_JSON_PATH_INVALID',
  'PROBE_NAME_DUPLICATE',
  // A Workflow's stop conditions and notifications (run-guard-checks.ts)
  'STOP_CONDITION_INVALID',
  'RUN_GUARD_NAME_DUPLICATE',
  // The host inventory (inventory-checks.ts); the last two only where the worker reads it (read-inventory.ts)
  'INVENTORY_NAME_DUPLICATE',
  'INVENTORY_NODE_NOT_FOUND',
  'INVENTORY_TLS_REQUIRED',
  'INVENTORY_FILE_UNREADABLE',
  'INVENTORY_MULTIPLE_DOCUMENTS',
  // A cluster name (remoteCluster, a RemoteCluster's name) that is not a DNS label (remote-cluster-checks.ts)
  'CLUSTER_NAME_INVALID',
] as const;
export type ManifestErrorCode = (typeof MANIFEST_ERROR_CODES)[number];

/** Warnings do not make a document invalid (`chaosflow validate` still exits 0). */
export const MANIFEST_WARNING_CODES = [
  // A standalone chaos, or a Schedule's chaos, without duration: held until the run ends another way.
  'CHAOS_HELD_UNTIL_ABORT',
  // A field no driver honours here, whose absence is harmless (unhonoured-fields.ts)
  'FIELD_IGNORED',
  // A Task that writes what only a Pod uses (image, volumes, ...): it runs on the worker's host (host-task-checks.ts)
  'TASK_RUNS_ON_HOST',
  // remoteCluster names a cluster no RemoteCluster of the same input declares (remote-cluster-checks.ts)
  'REMOTE_CLUSTER_UNDECLARED',
  // More warnings than a document shows (place-issues.ts)
  'TOO_MANY_WARNINGS',
] as const;
export type ManifestWarningCode = (typeof MANIFEST_WARNING_CODES)[number];

interface IssueText {
  /** JSON pointer into the document (`''` is the whole document). */
  pointer: string;
  message: string;
  /** How to fix the error, or how to avoid the warning. */
  fix: string;
  /**
   * Which position to report when the field exists: its value (default) or its key (for a field that should
   * not be there). A missing field is reported at its nearest existing parent.
   */
  at?: 'key' | 'value';
}

export interface ManifestErrorIssue extends IssueText {
  severity?: 'error';
  code: ManifestErrorCode;
}

export interface ManifestWarningIssue extends IssueText {
  severity: 'warning';
  code: ManifestWarningCode;
}

/** What a check found inside one document, before it is placed in the file: an error unless it says warning. */
export type ManifestIssue = ManifestErrorIssue | ManifestWarningIssue;

export function isWarning(issue: ManifestIssue): issue is ManifestWarningIssue {
  return issue.severity === 'warning';
}

export interface SourcePosition {
  /** 1-based. */
  line: number;
  /** 1-based. */
  col: number;
}

interface PlacedIssue extends SourcePosition {
  file: string;
  /** 0-based index of the YAML document in the file; absent for errors about the whole file. */
  document?: number;
  pointer: string;
  message: string;
  fix: string;
}

export interface ManifestError extends PlacedIssue {
  code: ManifestErrorCode;
}

export interface ManifestWarning extends PlacedIssue {
  code: ManifestWarningCode;
}

/** Escapes one JSON pointer segment (RFC 6901). */
export function pointerSegment(segment: string | number): string {
  return String(segment).replace(/~/g, '~0').replace(/\//g, '~1');
}

export function joinPointer(base: string, ...segments: readonly (string | number)[]): string {
  return base + segments.map((s) => `/${pointerSegment(s)}`).join('');
}

export function splitPointer(pointer: string): string[] {
  if (pointer === '') return [];
  return pointer
    .split('/')
    .slice(1)
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}
