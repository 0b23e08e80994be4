/**
 * One document, three passes: which kind it is (unsupported kinds stop here with one clear error), the JSON
 * Schema of that kind, then the semantic checks (only on schema-valid documents, so they can trust types).
 * Warnings never make a document invalid; they come with the errors when there are both.
 */
import type { Manifest } from '../common/generated/manifest-types.js';
import { isWarning, type ManifestErrorIssue, type ManifestWarningIssue } from './errors.js';
import { identifyManifest } from './identify.js';
import type { ManifestKind } from './manifest-kinds.js';
import { translateSchemaErrors } from './schema-errors.js';
import { schemaErrors } from './schema-validators.js';
import { semanticIssues } from './semantic-checks.js';

export type ValidationResult =
  | { ok: true; kind: ManifestKind; manifest: Manifest; warnings: ManifestWarningIssue[] }
  | { ok: false; kind?: ManifestKind; errors: ManifestErrorIssue[]; warnings: ManifestWarningIssue[] };

export function validateManifest(value: unknown): ValidationResult {
  const identified = identifyManifest(value);
  if (identified.kind === undefined) return { ok: false, errors: identified.issues, warnings: [] };
  const kind = identified.kind;
  const schemaIssues = translateSchemaErrors(schemaErrors(kind, value));
  if (schemaIssues.length > 0) return { ok: false, kind, errors: schemaIssues, warnings: [] };
  const manifest = value as Manifest;
  const issues = semanticIssues(kind, manifest);
  const warnings = issues.filter(isWarning);
  const errors = issues.filter((i): i is ManifestErrorIssue => !isWarning(i));
  return errors.length > 0 ? { ok: false, kind, errors, warnings } : { ok: true, kind, manifest, warnings };
}
