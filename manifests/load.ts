/**
 * Multi-document YAML to plain values, keeping each document's syntax tree so that any JSON pointer can be
 * mapped back to `line:col`. Empty documents (`---` alone, comments only, `~`) are skipped.
 */
import {
  isAlias,
  isMap,
  isScalar,
  isSeq,
  LineCounter,
  parseAllDocuments,
  type Document,
  type Node as YamlNode,
} from 'yaml';
import { splitPointer, type ManifestErrorIssue, type SourcePosition } from './errors.js';

export interface LoadedDocument {
  /** 0-based index among the file's documents, empty ones included (so it matches what an editor shows). */
  index: number;
  value: unknown;
  /** Where the document's content starts. */
  position: SourcePosition;
  /** Position of a JSON pointer; see `ManifestErrorIssue.at`. */
  locate(pointer: string, at?: 'key' | 'value'): SourcePosition;
}

export interface LoadedFile {
  documents: LoadedDocument[];
  /** Syntax errors, already placed. Documents with syntax errors are not in `documents`. */
  syntaxErrors: { document: number; position: SourcePosition; issue: ManifestErrorIssue }[];
}

export function loadManifests(text: string): LoadedFile {
  const lineCounter = new LineCounter();
  const docs = parseAllDocuments(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const documents: LoadedDocument[] = [];
  const syntaxErrors: LoadedFile['syntaxErrors'] = [];
  const position = (offset: number): SourcePosition => {
    const { line, col } = lineCounter.linePos(offset);
    return { line, col };
  };
  docs.forEach((doc, index) => {
    if (doc.errors.length > 0) {
      for (const err of doc.errors) {
        const duplicate = err.code === 'DUPLICATE_KEY';
        syntaxErrors.push({
          document: index,
          position: position(err.pos[0]),
          issue: {
            code: duplicate ? 'YAML_DUPLICATE_KEY' : 'YAML_SYNTAX',
            pointer: '',
            message: duplicate
              ? 'a key appears twice in the same mapping'
              : `invalid YAML: ${firstLine(err.message)}`,
            fix: duplicate
              ? 'remove or rename one of the two keys'
              : 'check the indentation and quoting around this position',
          },
        });
      }
      return;
    }
    const contents = doc.contents;
    if (contents === null || (isScalar(contents) && contents.value === null)) return;
    documents.push({
      index,
      value: doc.toJS({ maxAliasCount: 1000 }) as unknown,
      position: position(contents.range[0]),
      locate: (pointer, at = 'value') => locate(doc, pointer, at, position),
    });
  });
  return { documents, syntaxErrors };
}

function firstLine(message: string): string {
  return (message.split('\n')[0] ?? message).replace(/ at line \d+, column \d+:?$/, '');
}

/**
 * Walks the pointer through the syntax tree. A field that exists is reported at its value (or key); a missing
 * one at the deepest existing node: the key it hangs under if it has one ("spec:"), else where it starts.
 */
function locate(
  doc: Document,
  pointer: string,
  at: 'key' | 'value',
  position: (offset: number) => SourcePosition,
): SourcePosition {
  let node: unknown = doc.contents;
  let key: YamlNode | undefined;
  let found = true;
  for (const segment of splitPointer(pointer)) {
    if (isAlias(node)) node = node.resolve(doc);
    if (isMap(node)) {
      const pair = node.items.find((p) => String(isScalar(p.key) ? p.key.value : p.key) === segment);
      if (!pair) {
        found = false;
        break;
      }
      key = isScalar(pair.key) ? pair.key : undefined;
      node = pair.value;
    } else if (isSeq(node)) {
      const item = node.items[Number(segment)];
      if (item === undefined || !/^\d+$/.test(segment)) {
        found = false;
        break;
      }
      key = undefined;
      node = item;
    } else {
      found = false;
      break;
    }
  }
  const nodeStart = rangeStart(node);
  const keyStart = rangeStart(key);
  if (found && at === 'value' && nodeStart !== undefined && !isEmptyScalar(node)) return position(nodeStart);
  if (keyStart !== undefined) return position(keyStart);
  if (nodeStart !== undefined) return position(nodeStart);
  return position(rangeStart(doc.contents) ?? 0);
}

function rangeStart(node: unknown): number | undefined {
  const range = (node as { range?: unknown } | null | undefined)?.range;
  return Array.isArray(range) && typeof range[0] === 'number' ? range[0] : undefined;
}

/** `key:` with nothing after it: point at the key, the value's range is an empty spot at the line's end. */
function isEmptyScalar(node: unknown): boolean {
  return isScalar(node) && node.value === null && node.source === '';
}
