/**
 * The entry points the CLI and the controller use: YAML text or a file in, plans and schedule plans out,
 * with every error and warning of every document placed at `file:line:col`. Bad input never throws.
 */
import { readFile } from 'node:fs/promises';
import type { Plan } from '../common/plan.js';
import type { SchedulePlan } from '../common/schedule-plan.js';
import { compileManifest, type CompiledManifest } from './compile.js';
import type { ManifestError, ManifestWarning } from './errors.js';
import { loadManifests, type LoadedDocument } from './load.js';
import { byPosition, capIssues, fileUnreadable, place, placeIn } from './place-issues.js';
import type { DocumentKind } from './manifest-kinds.js';
import type { TaskRuntime } from './host-task-checks.js';
import { validateManifest } from './validate.js';
import { remoteClusterUses, undeclaredCluster } from './remote-cluster-checks.js';

export interface DocumentSummary {
  /** 0-based index of the document in the file. */
  index: number;
  /** The kind, when it could be read. */
  kind?: DocumentKind;
  name?: string;
  namespace?: string;
  line: number;
  valid: boolean;
}

export interface ManifestFileResult {
  file: string;
  documents: DocumentSummary[];
  /**
   * Compiled documents in file order; only documents without errors. A host inventory is checked, not
   * compiled: the worker reads it as its inventory (`read-inventory.ts`).
   */
  compiled: CompiledManifest[];
  plans: Plan[];
  schedulePlans: SchedulePlan[];
  /** The cluster names the input's RemoteCluster objects declare, in file order. */
  clusters: string[];
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
    return { ...emptyResult(path), errors: [fileUnreadable(path, err)] };
  }
  return readManifestText(text, path);
}

/** `tasks`: where the manifests' Tasks run (host-task-checks.ts); default the worker's host. */
export function readManifestText(
  text: string,
  file: string,
  tasks: TaskRuntime = 'host',
): ManifestFileResult {
  const result = emptyResult(file);
  const loaded = loadManifests(text);
  for (const { document, position, issue } of loaded.syntaxErrors) {
    result.errors.push(place(issue, file, document, position));
  }
  const uses: RemoteClusterUse[] = [];
  for (const doc of loaded.documents) processDocument(doc, file, result, tasks, uses);
  if (result.clusters.length > 0) {
    for (const { doc, use } of uses) {
      if (!result.clusters.includes(use.name)) {
        result.warnings.push(placeIn(doc, file, undeclaredCluster(use, result.clusters)));
      }
    }
  }
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

/** A `remoteCluster` of a valid document, checked against the RemoteCluster objects once all are read. */
interface RemoteClusterUse {
  doc: LoadedDocument;
  use: { pointer: string; name: string };
}

function processDocument(
  doc: LoadedDocument,
  file: string,
  result: ManifestFileResult,
  tasks: TaskRuntime,
  uses: RemoteClusterUse[],
): void {
  const validation = validateManifest(doc.value, tasks);
  const meta = metadataOf(doc.value);
  result.documents.push({
    index: doc.index,
    ...(validation.kind === undefined ? {} : { kind: validation.kind }),
    ...meta,
    line: doc.position.line,
    valid: validation.ok,
  });
  for (const issue of capIssues(validation.warnings)) result.warnings.push(placeIn(doc, file, issue));
  if (!validation.ok) {
    for (const issue of capIssues(validation.errors)) result.errors.push(placeIn(doc, file, issue));
    return;
  }
  if (validation.kind === 'Inventory') return;
  if (validation.kind === 'RemoteCluster') {
    result.clusters.push(validation.remoteCluster.metadata.name);
    return;
  }
  for (const use of remoteClusterUses(doc.value)) uses.push({ doc, use });
  const compiled = compileManifest(validation.manifest, { location: `${file}:${doc.position.line}` });
  result.compiled.push(compiled);
  if (compiled.type === 'plan') result.plans.push(compiled.plan);
  else result.schedulePlans.push(compiled.schedulePlan);
}

function metadataOf(value: unknown): { name?: string; namespace?: string } {
  const metadata = (value as { metadata?: { name?: unknown; namespace?: unknown } } | null)?.metadata;
  const out: { name?: string; namespace?: string } = {};
  if (typeof metadata?.name === 'string') out.name = metadata.name;
  if (typeof metadata?.namespace === 'string') out.namespace = metadata.namespace;
  return out;
}

function emptyResult(file: string): ManifestFileResult {
  return {
    file,
    documents: [],
    compiled: [],
    plans: [],
    schedulePlans: [],
    clusters: [],
    errors: [],
    warnings: [],
  };
}
