/**
 * An issue found inside a document, placed in its file (`file:line:col`, the document's index). Errors and
 * warnings have one shape; only their codes differ.
 */
import { errorMessage } from '../common/errors/chaosflow-error.js';
import type {
  ManifestError,
  ManifestErrorCode,
  ManifestIssue,
  ManifestWarningCode,
  SourcePosition,
} from './errors.js';
import { INPUT_LIMITS } from './input-limits.js';
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
    pointer: shorten(issue.pointer),
    message: shorten(issue.message),
    fix: shorten(issue.fix),
  };
}

/** At most this many characters of a message, fix or pointer reach the terminal (a field can be 1 MB). */
export const MAX_ISSUE_TEXT = 500;

function shorten(text: string): string {
  if (text.length <= MAX_ISSUE_TEXT) return text;
  const keep = MAX_ISSUE_TEXT / 2 - 20;
  return `${text.slice(0, keep)} … (${text.length - 2 * keep} characters left out) … ${text.slice(-keep)}`;
}

/**
 * The first issues of a document and, past the limit, one more that counts the rest: 50,000 unknown fields
 * give 50 errors and "49,950 more", not a screenful per field. A list of warnings only is capped the same way,
 * with a warning.
 */
export function capIssues<I extends ManifestIssue>(issues: readonly I[]): I[] {
  const limit = INPUT_LIMITS.issuesPerDocument;
  if (issues.length <= limit) return [...issues];
  const last = issues[limit - 1] as I;
  const rest = issues.length - limit;
  const more = {
    pointer: last.pointer,
    message: `${rest} more ${last.severity === 'warning' ? 'warnings' : 'errors'} in this document are not shown`,
    fix: 'fix the ones shown first, then validate again',
  };
  const extra =
    last.severity === 'warning'
      ? { ...more, severity: 'warning' as const, code: 'TOO_MANY_WARNINGS' as const }
      : { ...more, code: 'TOO_MANY_ERRORS' as const };
  return [...issues.slice(0, limit), extra as I];
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
