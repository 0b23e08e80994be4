/**
 * What kind a document is, checked before the schema: a document of a kind chaosflow recognises but does not
 * run (AWSChaos, JVMChaos, StatusCheck, RemoteCluster, ... — any kind of Chaos Mesh's group, see
 * `unsupported-kinds.ts`) — at the top, as a template's `templateType` or a Schedule's `type`, or as an
 * embedded spec key such as `awsChaos` — gets one clear error with what to do instead, not a dump of schema
 * errors; a misspelt kind gets "did you mean".
 */
import {
  CHAOS_SPEC_KEY,
  isUnsupportedChaosKind,
  UNSUPPORTED_CHAOS_KINDS,
  type UnsupportedChaosKind,
} from '../common/chaos-kinds.js';
import { suggest } from './did-you-mean.js';
import { joinPointer, type ManifestErrorIssue } from './errors.js';
import { DOCUMENT_KINDS, isDocumentKind, type DocumentKind } from './manifest-kinds.js';
import { isChaosMeshApiVersion, knownUnsupportedKind, unsupportedKindHint } from './unsupported-kinds.js';

export type Identified =
  { kind: DocumentKind; issues: [] } | { kind?: undefined; issues: ManifestErrorIssue[] };

const UNSUPPORTED_KEYS: ReadonlyMap<string, UnsupportedChaosKind> = new Map(
  UNSUPPORTED_CHAOS_KINDS.map((kind) => [CHAOS_SPEC_KEY[kind], kind]),
);

export function identifyManifest(value: unknown): Identified {
  if (!isObject(value)) {
    return {
      issues: [
        {
          code: 'DOCUMENT_NOT_OBJECT',
          pointer: '',
          message: `a manifest must be a mapping with apiVersion, kind, metadata and spec, found ${describe(value)}`,
          fix: 'write the manifest as `key: value` lines (see examples/)',
        },
      ],
    };
  }
  const kind = value.kind;
  if (kind === undefined || kind === null) {
    return {
      issues: [
        {
          code: 'KIND_MISSING',
          pointer: '/kind',
          message: 'the manifest has no kind',
          fix: `add kind: one of ${DOCUMENT_KINDS.join(', ')}`,
        },
      ],
    };
  }
  if (typeof kind === 'string' && knownUnsupportedKind(kind) !== undefined)
    return { issues: [unsupported(kind, '/kind')] };
  if (typeof kind !== 'string' || !isDocumentKind(kind)) {
    const hint = typeof kind === 'string' ? suggest(kind, DOCUMENT_KINDS) : undefined;
    if (typeof kind === 'string' && hint === undefined && isChaosMeshApiVersion(value.apiVersion))
      return { issues: [unsupported(kind, '/kind')] };
    return {
      issues: [
        {
          code: 'KIND_UNKNOWN',
          pointer: '/kind',
          message: `chaosflow does not know the kind ${JSON.stringify(kind)}`,
          fix: `${hint ? `did you mean ${hint}? ` : ''}kind must be one of ${DOCUMENT_KINDS.join(', ')}`,
        },
      ],
    };
  }
  const spec = value.spec;
  const issues: ManifestErrorIssue[] = [];
  if (kind === 'Workflow') scanWorkflowSpec(spec, '/spec', issues);
  if (kind === 'Schedule') scanScheduleSpec(spec, '/spec', issues, true);
  return issues.length > 0 ? { issues } : { kind, issues: [] };
}

function scanWorkflowSpec(spec: unknown, base: string, issues: ManifestErrorIssue[]): void {
  const templates = isObject(spec) ? spec.templates : undefined;
  if (!Array.isArray(templates)) return;
  templates.forEach((template: unknown, i) => {
    if (!isObject(template)) return;
    const at = joinPointer(base, 'templates', i);
    const type = template.templateType;
    if (typeof type === 'string' && isUnsupportedChaosKind(type)) {
      issues.push(unsupported(type, joinPointer(at, 'templateType')));
      return;
    }
    scanKeys(template, at, issues);
    scanScheduleSpec(template.schedule, joinPointer(at, 'schedule'), issues, false);
  });
}

function scanScheduleSpec(
  spec: unknown,
  base: string,
  issues: ManifestErrorIssue[],
  withWorkflow: boolean,
): void {
  if (!isObject(spec)) return;
  const type = spec.type;
  if (typeof type === 'string' && isUnsupportedChaosKind(type)) {
    issues.push(unsupported(type, joinPointer(base, 'type')));
    return;
  }
  scanKeys(spec, base, issues);
  if (withWorkflow) scanWorkflowSpec(spec.workflow, joinPointer(base, 'workflow'), issues);
}

function scanKeys(object: Record<string, unknown>, base: string, issues: ManifestErrorIssue[]): void {
  for (const key of Object.keys(object)) {
    const kind = UNSUPPORTED_KEYS.get(key);
    if (kind) issues.push({ ...unsupported(kind, joinPointer(base, key)), at: 'key' });
  }
}

function unsupported(kind: string, pointer: string): ManifestErrorIssue {
  return {
    code: 'KIND_UNSUPPORTED',
    pointer,
    message: `${kind} is not supported by chaosflow`,
    fix: unsupportedKindHint(kind),
  };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function describe(value: unknown): string {
  if (value === null) return 'nothing (null)';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  return `${typeof value === 'string' ? 'the string' : `the ${typeof value}`} ${JSON.stringify(value)}`;
}
