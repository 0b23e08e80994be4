/**
 * JSON Schema (draft-07, as written in `schemas/`) to a Kubernetes *structural* OpenAPI v3 schema: every `$ref`
 * inlined, every node typed, no `$schema`/`$id`/`title`/`definitions`/`default`, no `additionalProperties:
 * false` (the API server prunes or, with strict field validation, rejects unknown fields itself), union
 * types with null as `nullable`, draft-07 `exclusiveMinimum: n` as OpenAPI's `minimum: n` +
 * `exclusiveMinimum: true`, and `x-kubernetes-preserve-unknown-fields` only on open objects (embedded
 * Kubernetes objects such as a task's container and volumes).
 */
import { BOUND_KEYWORDS } from './bound-keywords.js';
import { isSchema, resolveRef, type JsonSchema, type SchemaSet } from './schema-set.js';

const COPIED = [
  'enum',
  'pattern',
  'minimum',
  'maximum',
  'minItems',
  'maxItems',
  'minLength',
  'maxLength',
  'maxProperties',
] as const;

const KNOWN = new Set<string>([
  ...COPIED,
  '$ref',
  '$schema',
  '$id',
  'title',
  'description',
  'definitions',
  'default',
  'type',
  'properties',
  'required',
  'items',
  'additionalProperties',
  'exclusiveMinimum',
  // Checked by the validators only (bound-keywords.ts): the API server has no such keyword.
  ...BOUND_KEYWORDS,
]);

export function toStructural(set: SchemaSet, node: JsonSchema, baseId: string, where = '#'): JsonSchema {
  if (typeof node.$ref === 'string') {
    const target = resolveRef(set, node.$ref, baseId);
    const inlined = toStructural(set, target.schema, target.baseId, target.uri);
    return typeof node.description === 'string'
      ? { description: node.description, ...without(inlined, 'description') }
      : inlined;
  }
  for (const key of Object.keys(node)) {
    if (!KNOWN.has(key)) throw new Error(`${where}: keyword "${key}" has no structural translation yet`);
  }
  const out: JsonSchema = {};
  if (typeof node.description === 'string') out.description = node.description;
  Object.assign(out, typeOf(node, where));
  for (const key of COPIED) if (node[key] !== undefined) out[key] = node[key];
  if (typeof node.exclusiveMinimum === 'number') {
    out.minimum = node.exclusiveMinimum;
    out.exclusiveMinimum = true;
  }
  if (isSchema(node.items)) out.items = toStructural(set, node.items, baseId, `${where}/items`);
  const properties = isSchema(node.properties) ? node.properties : undefined;
  if (properties) {
    out.properties = Object.fromEntries(
      Object.entries(properties).map(([name, schema]) => {
        if (!isSchema(schema)) throw new Error(`${where}/properties/${name}: not a schema`);
        return [name, toStructural(set, schema, baseId, `${where}/properties/${name}`)];
      }),
    );
  }
  if (Array.isArray(node.required) && node.required.length > 0) out.required = node.required;
  if (isSchema(node.additionalProperties)) {
    if (properties)
      throw new Error(`${where}: properties and a schema for additionalProperties cannot be combined`);
    out.additionalProperties = toStructural(
      set,
      node.additionalProperties,
      baseId,
      `${where}/additionalProperties`,
    );
  } else if (out.type === 'object' && node.additionalProperties !== false) {
    out['x-kubernetes-preserve-unknown-fields'] = true;
  }
  return out;
}

function typeOf(node: JsonSchema, where: string): JsonSchema {
  const type = node.type;
  if (typeof type === 'string') return { type };
  if (Array.isArray(type)) {
    const types = type.filter((t) => t !== 'null');
    if (types.length === 1 && types.length < type.length) return { type: types[0], nullable: true };
  }
  if (Array.isArray(node.enum) && node.enum.every((v) => typeof v === 'string')) return { type: 'string' };
  throw new Error(`${where}: a structural schema needs one type, found ${JSON.stringify(type)}`);
}

function without(schema: JsonSchema, key: string): JsonSchema {
  const { [key]: _, ...rest } = schema;
  return rest;
}
