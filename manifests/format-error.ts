/**
 * Manifest errors and warnings for people: `file:line:col: error[CODE] /pointer: message` and an indented
 * `fix:` line; a warning reads `warning[CODE]` and its second line is a `hint:` (nothing is broken).
 */
import type { ManifestError, ManifestWarning } from './errors.js';

export function formatManifestError(error: ManifestError): string {
  return format('error', error, 'fix');
}

export function formatManifestErrors(errors: readonly ManifestError[]): string {
  return errors.map((e) => `${formatManifestError(e)}\n`).join('');
}

export function formatManifestWarning(warning: ManifestWarning): string {
  return format('warning', warning, 'hint');
}

export function formatManifestWarnings(warnings: readonly ManifestWarning[]): string {
  return warnings.map((w) => `${formatManifestWarning(w)}\n`).join('');
}

function format(severity: string, issue: ManifestError | ManifestWarning, label: string): string {
  const pointer = issue.pointer === '' ? '' : ` ${issue.pointer}`;
  return `${issue.file}:${issue.line}:${issue.col}: ${severity}[${issue.code}]${pointer}: ${issue.message}\n  ${label}: ${issue.fix}`;
}
