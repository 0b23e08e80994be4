/**
 * Small checks over a parsed YAML document that remember where each problem is (`file:line:col` and a path such
 * as `pods[2].containers[0].id`), so a whole file can be checked and every problem reported at once.
 */
import { isMap, isNode, isScalar, type LineCounter, type Node as YamlNode, type YAMLMap } from 'yaml';
import type { InventoryIssue } from './inventory-error.js';

export type Where = Omit<InventoryIssue, 'message'>;

export class YamlChecker {
  readonly issues: InventoryIssue[] = [];

  constructor(
    readonly file: string,
    private readonly lines: LineCounter,
  ) {}

  at(node: unknown, path: string): Where {
    const offset = isNode(node) ? (node.range?.[0] ?? 0) : 0;
    const pos = this.lines.linePos(offset);
    return { file: this.file, line: pos.line, col: pos.col, path };
  }

  issue(node: unknown, path: string, message: string): void {
    this.issues.push({ ...this.at(node, path), message });
  }

  /** The value node under `key`, or undefined when the key is absent. */
  field(map: YAMLMap, key: string): YamlNode | undefined {
    const value: unknown = map.get(key, true);
    return isNode(value) ? value : undefined;
  }

  /** A required non-empty string; records an issue and returns undefined otherwise. */
  string(node: unknown, path: string, what: string): string | undefined {
    const value = scalarValue(node);
    if (typeof value === 'string' && value !== '') return value;
    const quote =
      value !== undefined && value !== null && value !== '' ? ` (got ${String(value)}: quote it)` : '';
    this.issue(node, path, `${what} must be a non-empty string${quote}.`);
    return undefined;
  }

  /** An optional mapping of strings (labels, annotations). */
  stringMap(node: unknown, path: string): Record<string, string> {
    const out: Record<string, string> = {};
    if (node === undefined || scalarValue(node) === null) return out;
    if (!isMap(node)) {
      this.issue(node, path, 'must be a mapping of strings, e.g. `{ app: web }`.');
      return out;
    }
    this.uniqueKeys(node, path);
    for (const pair of node.items) {
      const key = String(scalarValue(pair.key) ?? '');
      const value = scalarValue(pair.value);
      if (typeof value === 'string') out[key] = value;
      else
        this.issue(
          pair.value ?? pair.key,
          `${path}.${key}`,
          `must be a string: quote it, ${key}: "${String(value ?? '')}".`,
        );
    }
    return out;
  }

  /** Records every key written twice in `map`, at its second occurrence. */
  uniqueKeys(map: YAMLMap, path: string): void {
    const seen = new Set<string>();
    for (const pair of map.items) {
      const key = String(scalarValue(pair.key) ?? '');
      if (seen.has(key))
        this.issue(pair.key, path ? `${path}.${key}` : key, `"${key}" is given twice here; keep one.`);
      seen.add(key);
    }
  }

  /** Records every key of `map` that is not in `allowed`, and every key written twice. */
  onlyKeys(map: YAMLMap, path: string, allowed: readonly string[]): void {
    this.uniqueKeys(map, path);
    for (const pair of map.items) {
      const key = String(scalarValue(pair.key) ?? '');
      if (!allowed.includes(key)) {
        this.issue(
          pair.key,
          path ? `${path}.${key}` : key,
          `unknown field "${key}". Allowed here: ${allowed.join(', ')}.`,
        );
      }
    }
  }
}

export type ScalarValue = string | number | boolean | bigint | null | undefined;

/** The value of a scalar node; `undefined` for anything else (a mapping, a list, a missing node). */
export function scalarValue(node: unknown): ScalarValue {
  if (!isScalar(node)) return undefined;
  const value: unknown = node.value;
  return value === null || ['string', 'number', 'boolean', 'bigint'].includes(typeof value)
    ? (value as ScalarValue)
    : undefined;
}
