/**
 * An issue found inside a document, placed in its file (`file:line:col`, the document's index). Errors and
 * warnings have one shape; only their codes differ.
 */
import { errorMessage } from '../common/errors/chaosflow-error.js';
import type { ManifestError, ManifestErrorCode, ManifestWarningCode, SourcePosition } from './errors.js';
import type { LoadedDocument } from './load.js';

export type Placed<C extends ManifestErrorCode | ManifestWarningCode> = Omit<ManifestError, 'code'> & {
  code: C;
};

interface Found<C> {
  code: C;
  pointer: string;
  message: string;
  fix: string;
  at?: 'key' | 'value';
}

/** At the field its pointer names in `doc`. */
export function placeIn<C extends ManifestErrorCode | ManifestWarningCode>(
  doc: LoadedDocument,
  file: string,
  issue: Found<C>,
): Placed<C> {
  return place(issue, file, doc.index, doc.locate(issue.pointer, issue.at));
}

export function place<C extends ManifestErrorCode | ManifestWarningCode>(
  issue: Found<C>,
  file: string,
  document: number,
  at: SourcePosition,
): Placed<C> {
  const { line, col } = at;
  return {
    code: issue.code,
    file,
    line,
    col,
    document,
    pointer: issue.pointer,
    message: issue.message,
    fix: issue.fix,
  };
}

export function byPosition(a: SourcePosition, b: SourcePosition): number {
  return a.line - b.line || a.col - b.col;
}

/** The file itself could not be read (`FILE_UNREADABLE`, at 1:1). */
export function fileUnreadable(file: string, err: unknown): ManifestError {
  const reason = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : errorMessage(err);
  return {
    code: 'FILE_UNREADABLE',
    file,
    line: 1,
    col: 1,
    pointer: '',
    message: `cannot read the file: ${reason}`,
    fix: 'check the path and its permissions',
  };
}
