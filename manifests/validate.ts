/**
 * One document, three passes: which kind it is (unsupported kinds stop here with one clear error), the JSON
 * Schema of that kind, then the semantic checks (only on schema-valid documents, so they can trust types).
 */
import type { Manifest } from '../common/generated/manifest-types.js';
import type { ManifestIssue } from './errors.js';
import { identifyManifest } from './identify.js';
import type { ManifestKind } from './manifest-kinds.js';
import { translateSchemaErrors } from './schema-errors.js';
import { schemaErrors } from './schema-validators.js';
import { semanticIssues } from './semantic-checks.js';

export type ValidationResult =
  | { ok: true; kind: ManifestKind; manifest: Manifest }
  | { ok: false; kind?: ManifestKind; issues: ManifestIssue[] };

export function validateManifest(value: unknown): ValidationResult {
  const identified = identifyManifest(value);
  if (identified.kind === undefined) return { ok: false, issues: identified.issues };
  const kind = identified.kind;
  const schemaIssues = translateSchemaErrors(schemaErrors(kind, value));
  if (schemaIssues.length > 0) return { ok: false, kind, issues: schemaIssues };
  const manifest = value as Manifest;
  const issues = semanticIssues(kind, manifest);
  return issues.length > 0 ? { ok: false, kind, issues } : { ok: true, kind, manifest };
}
