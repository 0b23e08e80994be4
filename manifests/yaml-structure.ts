/**
 * Structural checks of YAML, made with explicit stacks so that no input can overflow the call stack:
 * - `tooIndented` on the text, before it is parsed (the parser recurses when many block levels close at once):
 *   the first line whose indentation opens more levels than the limit;
 * - `tooDeep` on the parser's token tree, before the documents are composed (composing recurses once per
 *   level): the first collection nested deeper than the limit, per document;
 * - `checkDocument` on a composed document, before it is turned into plain values: aliases that name no
 *   anchor or contain themselves, the size once aliases are expanded (a "billion laughs" file stays a few
 *   lines long), duplicate keys (checked here in linear time; the parser's own check is quadratic), and keys
 *   that are mappings or lists (JSON has none).
 */
import {
  isAlias,
  isMap,
  isPair,
  isScalar,
  isSeq,
  type CST,
  type Document,
  type Node as YamlNode,
} from 'yaml';
import type { ManifestErrorIssue } from './errors.js';
import { INPUT_LIMITS } from './input-limits.js';

/**
 * The offset of the first line that opens more block levels than the limit: a stack of indentation columns,
 * popped on a dedent, pushed on an indent and for each compact item (`- - - x` opens three). Blank and comment
 * lines do not count. Lines end at `\n` only: `loadManifests` turns lone `\r`s into `\n`s first.
 */
export function tooIndented(text: string, limit: number = INPUT_LIMITS.indentLevels): number | undefined {
  const stack: number[] = [];
  const blank = (c: string | undefined): boolean => c === undefined || c === ' ' || c === '\t' || c === '\r';
  for (let start = 0; start <= text.length;) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    let i = start;
    while (i < end && text[i] === ' ') i++;
    if (i < end && text[i] !== '#' && !blank(text[i])) {
      const col = i - start;
      while (stack.length > 0 && (stack[stack.length - 1] as number) > col) stack.pop();
      if (stack.length === 0 || (stack[stack.length - 1] as number) < col) stack.push(col);
      while (i < end && (text[i] === '-' || text[i] === '?' || text[i] === ':') && blank(text[i + 1])) {
        i++;
        while (i < end && (text[i] === ' ' || text[i] === '\t')) i++;
        if (i < end) stack.push(i - start);
      }
      if (stack.length > limit) return start + col;
    }
    start = end + 1;
  }
  return undefined;
}

/** The offset of the first collection deeper than the limit in a document token, if any. */
export function tooDeep(document: CST.Document, limit: number = INPUT_LIMITS.depth): number | undefined {
  const stack: { token: CST.Token | undefined; depth: number }[] = [{ token: document.value, depth: 0 }];
  for (let next = stack.pop(); next !== undefined; next = stack.pop()) {
    const { token, depth } = next;
    if (token === undefined) continue;
    if (token.type !== 'block-map' && token.type !== 'block-seq' && token.type !== 'flow-collection')
      continue;
    if (depth + 1 > limit) return token.offset;
    for (const item of token.items) {
      const key = (item as { key?: CST.Token | null }).key;
      if (key) stack.push({ token: key, depth: depth + 1 });
      stack.push({ token: item.value, depth: depth + 1 });
    }
  }
  return undefined;
}

export interface StructureProblem {
  offset: number;
  issue: ManifestErrorIssue;
}

interface Size {
  values: number;
  chars: number;
  /** Nesting of collections, aliases expanded (a chain of anchors nests without nesting in the text). */
  depth: number;
}

/** The problems of a composed document; empty means `toJS` is safe and bounded. */
export function checkDocument(doc: Document): StructureProblem[] {
  const problems: StructureProblem[] = [];
  const sizes = new Map<unknown, Size>();
  const open = new Set<unknown>();
  const total: Size = { values: 0, chars: 0, depth: 0 };
  // Post-order: a node is entered (its children pushed), then left (its size summed from theirs).
  const stack: { node: unknown; leave: boolean }[] = [{ node: doc.contents, leave: false }];
  for (let next = stack.pop(); next !== undefined; next = stack.pop()) {
    const { node, leave } = next;
    if (node === null || node === undefined) continue;
    if (leave) {
      open.delete(node);
      sizes.set(node, sizeOf(node, sizes));
      continue;
    }
    if (isAlias(node)) {
      const target = node.resolve(doc);
      const offset = node.range?.[0] ?? 0;
      if (target === undefined) {
        problems.push({ offset, issue: aliasIssue(`the alias *${node.source} names no anchor before it`) });
      } else if (open.has(target)) {
        problems.push({
          offset,
          issue: aliasIssue(`the alias *${node.source} is inside the value it names`),
        });
      }
      sizes.set(node, (target && sizes.get(target)) ?? { values: 1, chars: 0, depth: 0 });
      continue;
    }
    open.add(node);
    stack.push({ node, leave: true });
    if (isMap(node)) checkKeys(node.items, doc, problems);
    if (isMap(node) || isSeq(node)) {
      for (let i = node.items.length - 1; i >= 0; i--) {
        const item = node.items[i];
        if (isPair(item)) {
          stack.push({ node: item.value, leave: false });
          stack.push({ node: item.key, leave: false });
        } else stack.push({ node: item, leave: false });
      }
    }
  }
  if (problems.length > 0) return problems;
  const size = sizes.get(doc.contents) ?? total;
  if (size.values > INPUT_LIMITS.expandedValues || size.chars > INPUT_LIMITS.expandedChars) {
    const offset = firstAlias(doc) ?? doc.contents?.range?.[0] ?? 0;
    problems.push({
      offset,
      issue: {
        code: 'DOCUMENT_TOO_LARGE',
        pointer: '',
        message: `the document expands to ${describeSize(size)}, more than the ${INPUT_LIMITS.expandedValues} values or ${INPUT_LIMITS.expandedChars} characters allowed (aliases count each time they are used)`,
        fix: 'write the repeated parts once, or split the manifest; aliases must not multiply its size',
      },
    });
  }
  if (size.depth > INPUT_LIMITS.depth) {
    problems.push({
      offset: firstAlias(doc) ?? doc.contents?.range?.[0] ?? 0,
      issue: {
        code: 'YAML_TOO_DEEP',
        pointer: '',
        message: `with its aliases expanded, the document nests ${size.depth} levels deep, more than the ${INPUT_LIMITS.depth} allowed`,
        fix: 'flatten the structure; an alias inside the value of another anchor nests it one level deeper',
      },
    });
  }
  return problems;
}

function sizeOf(node: unknown, sizes: ReadonlyMap<unknown, Size>): Size {
  if (isScalar(node)) {
    const v = node.value;
    return { values: 1, chars: typeof v === 'string' ? v.length : String(v).length, depth: 0 };
  }
  const size: Size = { values: 1, chars: 0, depth: 1 };
  if (isMap(node) || isSeq(node)) {
    for (const item of node.items) {
      // A key and its value count as one value; the key's characters count.
      const key = isPair(item) ? sizes.get(item.key) : undefined;
      const value = sizes.get(isPair(item) ? item.value : item);
      size.values += value?.values ?? (key ? 1 : 0);
      size.chars += (key?.chars ?? 0) + (value?.chars ?? 0);
      size.depth = Math.max(size.depth, 1 + Math.max(key?.depth ?? 0, value?.depth ?? 0));
    }
  }
  return size;
}

function checkKeys(pairs: readonly unknown[], doc: Document, problems: StructureProblem[]): void {
  const seen = new Set<string>();
  for (const pair of pairs) {
    if (!isPair(pair)) continue;
    let key: unknown = pair.key;
    if (isAlias(key)) key = key.resolve(doc);
    if (!isScalar(key) || (typeof key.value === 'object' && key.value !== null)) {
      // JSON, and so Kubernetes, has only string keys; `toJS` would turn this one (a collection, or binary
      // data such as `!!binary`) into a string and warn on stderr.
      problems.push({
        offset: (pair.key as YamlNode | null)?.range?.[0] ?? 0,
        issue: {
          code: 'YAML_SYNTAX',
          pointer: '',
          message: 'a key is a mapping, a list or binary data; keys must be plain values',
          fix: 'write the key as a plain or quoted string',
        },
      });
      continue;
    }
    const name = String(key.value);
    if (!seen.has(name)) {
      seen.add(name);
      continue;
    }
    problems.push({
      offset: (pair.key as YamlNode).range?.[0] ?? 0,
      issue: {
        code: 'YAML_DUPLICATE_KEY',
        pointer: '',
        message: 'a key appears twice in the same mapping',
        fix: 'remove or rename one of the two keys',
      },
    });
  }
}

function aliasIssue(message: string): ManifestErrorIssue {
  return {
    code: 'YAML_ALIAS_INVALID',
    pointer: '',
    message,
    fix: 'set the anchor (&name) on a value before the alias (*name) and outside of it',
  };
}

function firstAlias(doc: Document): number | undefined {
  const stack: unknown[] = [doc.contents];
  let first: number | undefined;
  for (let node = stack.pop(); node !== undefined; node = stack.pop()) {
    if (isAlias(node)) {
      const offset = node.range?.[0];
      if (offset !== undefined && (first === undefined || offset < first)) first = offset;
    } else if (isMap(node) || isSeq(node)) {
      for (const item of node.items) {
        if (isPair(item)) stack.push(item.key, item.value);
        else stack.push(item);
      }
    }
  }
  return first;
}

function describeSize(size: Size): string {
  const n = (x: number): string => (x > 1e15 ? x.toExponential(1) : String(x));
  return `${n(size.values)} values and ${n(size.chars)} characters`;
}
