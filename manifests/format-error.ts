/** Manifest errors for people: `file:line:col: error[CODE] /pointer: message` and an indented `fix:` line. */
import type { ManifestError } from './errors.js';

export function formatManifestError(error: ManifestError): string {
  const pointer = error.pointer === '' ? '' : ` ${error.pointer}`;
  return `${error.file}:${error.line}:${error.col}: error[${error.code}]${pointer}: ${error.message}\n  fix: ${error.fix}`;
}

export function formatManifestErrors(errors: readonly ManifestError[]): string {
  return errors.map((e) => `${formatManifestError(e)}\n`).join('');
}
