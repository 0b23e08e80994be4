/**
 * The JSON Schemas under `schemas/`, loaded once for every generator, and `$ref` resolution across them. Each
 * file's `$id` must be `SCHEMA_BASE_ID` + its path, so that relative `$ref`s mean the same to Ajv and to us.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { SCHEMA_BASE_ID } from '../../manifests/manifest-kinds.js';

export type JsonSchema = { [key: string]: unknown };

export interface SchemaFile {
  /** Path relative to `schemas/`, with `/` separators. */
  path: string;
  id: string;
  schema: JsonSchema;
}

export interface SchemaSet {
  files: readonly SchemaFile[];
  byId: ReadonlyMap<string, SchemaFile>;
}

export interface ResolvedRef {
  schema: JsonSchema;
  /** `$id` of the file holding it: the base for `$ref`s inside it. */
  baseId: string;
  /** `<file id>#<pointer>`: identifies the target. */
  uri: string;
}

export async function loadSchemaSet(dir: string): Promise<SchemaSet> {
  const paths = (await listSchemaFiles(dir)).sort();
  const files: SchemaFile[] = [];
  for (const path of paths) {
    const schema = JSON.parse(await readFile(join(dir, path), 'utf8')) as JsonSchema;
    const id = SCHEMA_BASE_ID + path;
    if (schema.$id !== id)
      throw new Error(`schemas/${path}: $id must be "${id}", found ${String(schema.$id)}`);
    files.push({ path, id, schema });
  }
  return { files, byId: new Map(files.map((f) => [f.id, f])) };
}

async function listSchemaFiles(dir: string, root = dir): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const full = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await listSchemaFiles(full, root)));
    else if (entry.name.endsWith('.schema.json')) out.push(relative(root, full).split(sep).join('/'));
  }
  return out;
}

export function resolveRef(set: SchemaSet, ref: string, baseId: string): ResolvedRef {
  const url = new URL(ref, baseId);
  const pointer = decodeURIComponent(url.hash.replace(/^#/, ''));
  url.hash = '';
  const file = set.byId.get(url.href);
  if (!file) throw new Error(`$ref "${ref}" (from ${baseId}) names no schema file`);
  let node: unknown = file.schema;
  for (const segment of pointer.split('/').slice(1)) {
    const key = segment.replace(/~1/g, '/').replace(/~0/g, '~');
    node = isSchema(node) ? node[key] : undefined;
  }
  if (!isSchema(node)) throw new Error(`$ref "${ref}" (from ${baseId}) points at nothing`);
  return { schema: node, baseId: file.id, uri: `${file.id}#${pointer}` };
}

export function isSchema(value: unknown): value is JsonSchema {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
