/**
 * The entry points the CLI and the controller use: YAML text or a file in, plans and schedule plans out,
 * with every error and warning of every document placed at `file:line:col`. Bad input never throws.
 */
import { readFile } from 'node:fs/promises';
import type { Plan } from '../common/plan.js';
import type { SchedulePlan } from '../common/schedule-plan.js';
import { compileManifest, type CompiledManifest } from './compile.js';
import type {
  ManifestError,
  ManifestErrorCode,
  ManifestWarning,
  ManifestWarningCode,
  SourcePosition,
} from './errors.js';
import { loadManifests, type LoadedDocument } from './load.js';
import type { ManifestKind } from './manifest-kinds.js';
import { validateManifest } from './validate.js';

export interface DocumentSummary {
  /** 0-based index of the document in the file. */
  index: number;
  /** The kind, when it could be read. */
  kind?: ManifestKind;
  name?: string;
  namespace?: string;
  line: number;
  valid: boolean;
}

export interface ManifestFileResult {
  file: string;
  documents: DocumentSummary[];
  /** Compiled documents in file order; only documents without errors. */
  compiled: CompiledManifest[];
  plans: Plan[];
  schedulePlans: SchedulePlan[];
  /** Sorted by position. Empty means every document is valid. */
  errors: ManifestError[];
  /** Sorted by position. Valid documents may have warnings too: they are still compiled. */
  warnings: ManifestWarning[];
}

export async function readManifestFile(path: string): Promise<ManifestFileResult> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : describeError(err);
    return {
      ...emptyResult(path),
      errors: [
        {
          code: 'FILE_UNREADABLE',
          file: path,
          line: 1,
          col: 1,
          pointer: '',
          message: `cannot read the file: ${reason}`,
          fix: 'check the path and its permissions',
        },
      ],
    };
  }
  return readManifestText(text, path);
}

export function readManifestText(text: string, file: string): ManifestFileResult {
  const result = emptyResult(file);
  const loaded = loadManifests(text);
  for (const { document, position, issue } of loaded.syntaxErrors) {
    result.errors.push(place(issue, file, document, position));
  }
  for (const doc of loaded.documents) processDocument(doc, file, result);
  if (loaded.documents.length === 0 && loaded.syntaxErrors.length === 0) {
    result.errors.push({
      code: 'FILE_EMPTY',
      file,
      line: 1,
      col: 1,
      pointer: '',
      message: 'the file holds no manifest',
      fix: 'add a Workflow, Schedule or chaos manifest (see examples/)',
    });
  }
  result.errors.sort(byPosition);
  result.warnings.sort(byPosition);
  return result;
}

function processDocument(doc: LoadedDocument, file: string, result: ManifestFileResult): void {
  const validation = validateManifest(doc.value);
  const meta = metadataOf(doc.value);
  result.documents.push({
    index: doc.index,
    ...(validation.kind === undefined ? {} : { kind: validation.kind }),
    ...meta,
    line: doc.position.line,
    valid: validation.ok,
  });
  for (const issue of validation.warnings) result.warnings.push(placeIn(doc, file, issue));
  if (!validation.ok) {
    for (const issue of validation.errors) result.errors.push(placeIn(doc, file, issue));
    return;
  }
  const compiled = compileManifest(validation.manifest, { location: `${file}:${doc.position.line}` });
  result.compiled.push(compiled);
  if (compiled.type === 'plan') result.plans.push(compiled.plan);
  else result.schedulePlans.push(compiled.schedulePlan);
}

/** The issue at its place in the file: errors and warnings have one shape, only their codes differ. */
function placeIn<C extends ManifestErrorCode | ManifestWarningCode>(
  doc: LoadedDocument,
  file: string,
  issue: { code: C; pointer: string; message: string; fix: string; at?: 'key' | 'value' },
): Placed<C> {
  return place(issue, file, doc.index, doc.locate(issue.pointer, issue.at));
}

function place<C extends ManifestErrorCode | ManifestWarningCode>(
  issue: { code: C; pointer: string; message: string; fix: string },
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

function byPosition(a: SourcePosition, b: SourcePosition): number {
  return a.line - b.line || a.col - b.col;
}

function metadataOf(value: unknown): { name?: string; namespace?: string } {
  const metadata = (value as { metadata?: { name?: unknown; namespace?: unknown } } | null)?.metadata;
  const out: { name?: string; namespace?: string } = {};
  if (typeof metadata?.name === 'string') out.name = metadata.name;
  if (typeof metadata?.namespace === 'string') out.namespace = metadata.namespace;
  return out;
}

type Placed<C> = Omit<ManifestError, 'code'> & { code: C };

function emptyResult(file: string): ManifestFileResult {
  return { file, documents: [], compiled: [], plans: [], schedulePlans: [], errors: [], warnings: [] };
}

function describeError(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
