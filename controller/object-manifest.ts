/**
 * A chaosflow object from the API server, compiled by the same compiler as the CLI: written back as YAML (what
 * `kubectl get -o yaml` would show, without status and server-only metadata, and without the annotations the
 * controller honours itself), then read with positions. Errors are located by their JSON pointer in the object
 * (`/spec/templates/0/deadline`), which is what a user looks up in their manifest.
 */
import { stringify } from 'yaml';
import type { Plan } from '../common/plan.js';
import type { SchedulePlan } from '../common/schedule-plan.js';
import type { ManifestError, ManifestWarning } from '../manifests/errors.js';
import { readManifestText } from '../manifests/read-manifests.js';
import { CHAOS_MESH_PAUSE, CONTROLLER_ANNOTATIONS } from './annotations.js';
import type { ChaosflowObject } from './kube-writer.js';
import type { ResourceKind } from './resource-kinds.js';

/** Annotations kubectl and the API server add, which say nothing about the experiment. */
const BOOKKEEPING_ANNOTATIONS = ['kubectl.kubernetes.io/last-applied-configuration'];

export interface CompiledObject {
  /** The manifest as compiled (kept in the run's memo). */
  text: string;
  plan?: Plan;
  schedulePlan?: SchedulePlan;
  errors: string[];
  warnings: string[];
}

export function compileObject(resource: ResourceKind, object: ChaosflowObject): CompiledObject {
  const text = manifestTextOf(resource, object);
  // The controller's Tasks run as pods: every Container field (env valueFrom, resources, ...) reaches them.
  const result = readManifestText(
    text,
    `${resource.plural}/${object.metadata.namespace}/${object.metadata.name}`,
    'pod',
  );
  return {
    text,
    ...(result.plans[0] ? { plan: result.plans[0] } : {}),
    ...(result.schedulePlans[0] ? { schedulePlan: result.schedulePlans[0] } : {}),
    errors: result.errors.map(located),
    warnings: result.warnings.map(located),
  };
}

export function manifestTextOf(resource: ResourceKind, object: ChaosflowObject): string {
  // A Schedule's pause annotation is part of its manifest (it suspends the Temporal Schedule).
  const honoured = new Set<string>(
    CONTROLLER_ANNOTATIONS.filter((a) => !(resource.kind === 'Schedule' && a === CHAOS_MESH_PAUSE)),
  );
  const annotations = Object.fromEntries(
    Object.entries(object.metadata.annotations ?? {}).filter(
      ([key]) => !honoured.has(key) && !BOOKKEEPING_ANNOTATIONS.includes(key),
    ),
  );
  const metadata = {
    name: object.metadata.name,
    namespace: object.metadata.namespace,
    ...(object.metadata.labels ? { labels: object.metadata.labels } : {}),
    ...(Object.keys(annotations).length > 0 ? { annotations } : {}),
  };
  return stringify({ apiVersion: object.apiVersion, kind: resource.kind, metadata, spec: object.spec });
}

function located(issue: ManifestError | ManifestWarning): string {
  const where = issue.pointer === '' ? '(the object)' : issue.pointer;
  return `${where}: ${issue.message} [${issue.code}]; fix: ${issue.fix}`;
}
