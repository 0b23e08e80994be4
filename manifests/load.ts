/**
 * Multi-document YAML to plain values, keeping each document's syntax tree so that any JSON pointer can be
 * mapped back to `line:col`. Empty documents (`---` alone, comments only, `~`) are skipped.
 */
import {
  Composer,
  isAlias,
  isMap,
  isScalar,
  isSeq,
  Parser,
  type CST,
  type Document,
  type Node as YamlNode,
} from 'yaml';
import { splitPointer, type ManifestErrorIssue, type SourcePosition } from './errors.js';
import { INPUT_LIMITS } from './input-limits.js';
import { sourcePositions, type PositionOf } from './source-lines.js';
import { checkDocument, tooDeep, tooIndented } from './yaml-structure.js';

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
  /**
   * Syntax errors, already placed, and the problems found before a document's values are read: too large a
   * file, too deep a nesting, bad aliases, duplicate keys. Documents with any of them are not in `documents`.
   */
  syntaxErrors: { document: number; position: SourcePosition; issue: ManifestErrorIssue }[];
}

/**
 * Never throws, and its time and memory are bounded by `INPUT_LIMITS`: the file's size is checked before
 * parsing, the nesting on the parser's tokens before composing, aliases and size before `toJS`.
 */
export function loadManifests(text: string): LoadedFile {
  const position = sourcePositions(text);
  const documents: LoadedDocument[] = [];
  const syntaxErrors: LoadedFile['syntaxErrors'] = [];
  if (text.length > INPUT_LIMITS.fileChars) {
    syntaxErrors.push({
      document: 0,
      position: { line: 1, col: 1 },
      issue: {
        code: 'FILE_TOO_LARGE',
        pointer: '',
        message: `the file has ${text.length} characters, more than the ${INPUT_LIMITS.fileChars} allowed`,
        fix: 'split it into several files; Kubernetes refuses an object this large anyway',
      },
    });
    return { documents, syntaxErrors };
  }
  // YAML 1.2 ends a line at a lone CR too, as editors do; the parser does not. Same length, same offsets.
  const source = text.replace(/\r(?!\n)/g, '\n');
  const indented = tooIndented(source);
  if (indented !== undefined) {
    syntaxErrors.push({
      document: 0,
      position: position(indented),
      issue: {
        code: 'YAML_TOO_DEEP',
        pointer: '',
        message: `the indentation here opens more than ${INPUT_LIMITS.indentLevels} levels of mappings and lists`,
        fix: 'flatten the structure; no manifest field nests this deep',
      },
    });
    return { documents, syntaxErrors };
  }
  const tokens = [...new Parser().parse(source)];
  const deep = new Map<number, number>();
  let count = 0;
  for (const token of tokens) {
    if (token.type !== 'document') continue;
    const offset = tooDeep(token);
    if (offset !== undefined) {
      deep.set(count, offset);
      // Composed as an empty document, so that the others keep their index.
      (token as { value?: CST.Token }).value = undefined;
    }
    count += 1;
  }
  const docs = [...new Composer({ uniqueKeys: false }).compose(tokens)];
  const report = (document: number, offset: number, issue: ManifestErrorIssue): void => {
    syntaxErrors.push({ document, position: position(offset), issue });
  };
  docs.forEach((doc, index) => {
    const deepAt = deep.get(index);
    if (deepAt !== undefined) {
      report(index, deepAt, {
        code: 'YAML_TOO_DEEP',
        pointer: '',
        message: `mappings and lists are nested more than ${INPUT_LIMITS.depth} levels deep here`,
        fix: 'flatten the structure; no manifest field nests this deep',
      });
      return;
    }
    if (doc.errors.length > 0) {
      for (const err of doc.errors) report(index, err.pos[0], syntaxIssue(err.message));
      return;
    }
    const contents = doc.contents;
    if (contents === null || (isScalar(contents) && contents.value === null)) return;
    const problems = checkDocument(doc);
    if (problems.length > 0) {
      for (const p of problems) report(index, p.offset, p.issue);
      return;
    }
    let value: unknown;
    try {
      value = doc.toJS({ maxAliasCount: -1 }) as unknown;
    } catch (err) {
      report(index, contents.range[0], syntaxIssue(err instanceof Error ? err.message : String(err)));
      return;
    }
    documents.push({
      index,
      value,
      position: position(contents.range[0]),
      locate: (pointer, at = 'value') => locate(doc, pointer, at, position),
    });
  });
  return { documents, syntaxErrors: capped(syntaxErrors) };
}

function syntaxIssue(message: string): ManifestErrorIssue {
  return {
    code: 'YAML_SYNTAX',
    pointer: '',
    message: `invalid YAML: ${firstLine(message)}`,
    fix: 'check the indentation and quoting around this position',
  };
}

/** Binary or badly broken input gives one error per token: the first ones and a count of the rest. */
function capped(errors: LoadedFile['syntaxErrors']): LoadedFile['syntaxErrors'] {
  const limit = INPUT_LIMITS.issuesPerDocument;
  if (errors.length <= limit) return errors;
  const last = errors[limit - 1] as LoadedFile['syntaxErrors'][number];
  return [
    ...errors.slice(0, limit),
    {
      document: last.document,
      position: last.position,
      issue: {
        code: 'TOO_MANY_ERRORS',
        pointer: '',
        message: `${errors.length - limit} more syntax errors follow; is this a YAML file?`,
        fix: 'fix the errors above first',
      },
    },
  ];
}

function firstLine(message: string): string {
  const line = (message.split('\n')[0] ?? message).replace(/ at line \d+, column \d+:?$/, '');
  return line.length > 200 ? `${line.slice(0, 200)}…` : line;
}

/**
 * Walks the pointer through the syntax tree. A field that exists is reported at its value (or key); a missing
 * one at the deepest existing node: the key it hangs under if it has one ("spec:"), else where it starts.
 */
function locate(doc: Document, pointer: string, at: 'key' | 'value', position: PositionOf): SourcePosition {
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
