/**
 * One document, three passes: which kind it is (unsupported kinds stop here with one clear error), the JSON
 * Schema of that kind, then the semantic checks (only on schema-valid documents, so they can trust types).
 * Warnings never make a document invalid; they come with the errors when there are both. A host inventory
 * goes through the same passes, by its `kind: Inventory` or, for the file the worker reads as its
 * inventory, without one (`validateInventory`).
 */
import type {
  InventoryManifest,
  Manifest,
  RemoteClusterManifest,
} from '../common/generated/manifest-types.js';
import {
  isWarning,
  type ManifestErrorIssue,
  type ManifestIssue,
  type ManifestWarningIssue,
} from './errors.js';
import { describe, identifyManifest } from './identify.js';
import { checkInventory } from './inventory-checks.js';
import {
  INVENTORY_KIND,
  REMOTE_CLUSTER_KIND,
  type DocumentKind,
  type ManifestKind,
} from './manifest-kinds.js';
import { checkRemoteCluster } from './remote-cluster-checks.js';
import { translateSchemaErrors } from './schema-errors.js';
import { schemaErrors } from './schema-validators.js';
import { semanticIssues } from './semantic-checks.js';
import type { TaskRuntime } from './host-task-checks.js';

type Invalid<K> = { ok: false; kind?: K; errors: ManifestErrorIssue[]; warnings: ManifestWarningIssue[] };

export type InventoryValidation =
  | { ok: true; kind: typeof INVENTORY_KIND; inventory: InventoryManifest; warnings: ManifestWarningIssue[] }
  | Invalid<typeof INVENTORY_KIND>;

export type ValidationResult =
  | { ok: true; kind: ManifestKind; manifest: Manifest; warnings: ManifestWarningIssue[] }
  | InventoryValidation
  | {
      ok: true;
      kind: typeof REMOTE_CLUSTER_KIND;
      remoteCluster: RemoteClusterManifest;
      warnings: ManifestWarningIssue[];
    }
  | Invalid<DocumentKind>;

/** `tasks`: where the manifest's Tasks run (host-task-checks.ts); default the worker's host. */
export function validateManifest(value: unknown, tasks: TaskRuntime = 'host'): ValidationResult {
  const identified = identifyManifest(value);
  if (identified.kind === undefined) return { ok: false, errors: identified.issues, warnings: [] };
  const kind = identified.kind;
  if (kind === INVENTORY_KIND) return validateInventory(value);
  const schemaIssues = translateSchemaErrors(schemaErrors(kind, value));
  if (schemaIssues.length > 0) return { ok: false, kind, errors: schemaIssues, warnings: [] };
  if (kind === REMOTE_CLUSTER_KIND) {
    const remoteCluster = value as RemoteClusterManifest;
    const found = split(checkRemoteCluster(remoteCluster));
    return found.errors.length > 0
      ? { ok: false, kind, ...found }
      : { ok: true, kind, remoteCluster, ...found };
  }
  const manifest = value as Manifest;
  const found = split(semanticIssues(kind, manifest, tasks));
  return found.errors.length > 0 ? { ok: false, kind, ...found } : { ok: true, kind, manifest, ...found };
}

export function validateInventory(value: unknown): InventoryValidation {
  const kind = INVENTORY_KIND;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    const error: ManifestErrorIssue = {
      code: 'DOCUMENT_NOT_OBJECT',
      pointer: '',
      message: `an inventory must be a mapping with nodes and pods, found ${describe(value)}`,
      fix: 'write it as in examples/inventory.yaml',
    };
    return { ok: false, kind, errors: [error], warnings: [] };
  }
  // The inventory checks also run on what the schema refused, so that one pass lists every problem.
  const schemaIssues = translateSchemaErrors(schemaErrors(kind, value));
  const reported = (pointer: string) =>
    schemaIssues.some((i) => i.pointer === pointer || i.pointer.startsWith(`${pointer}/`));
  const issues: ManifestIssue[] = [...schemaIssues];
  checkInventory(value as Record<string, unknown>, reported, issues);
  const found = split(issues);
  return found.errors.length > 0
    ? { ok: false, kind, ...found }
    : { ok: true, kind, inventory: value, ...found };
}

function split(issues: readonly ManifestIssue[]): {
  errors: ManifestErrorIssue[];
  warnings: ManifestWarningIssue[];
} {
  return {
    errors: issues.filter((i): i is ManifestErrorIssue => !isWarning(i)),
    warnings: issues.filter(isWarning),
  };
}
