/**
 * Registers chaosflow's search attributes on a Temporal server that lacks them (the dev server gets them as
 * start-up flags; other servers at worker start). Existing ones are left alone.
 */
import type { Connection } from '@temporalio/client';
import { encodeSearchAttributeIndexedValueType } from '@temporalio/common/lib/search-attributes.js';
import { CHAOSFLOW_SEARCH_ATTRIBUTES } from '../common/search-attributes.js';

export async function registerSearchAttributes(connection: Connection, namespace: string): Promise<string[]> {
  const existing = await connection.operatorService.listSearchAttributes({ namespace });
  const known = new Set(Object.keys({ ...existing.customAttributes, ...existing.systemAttributes }));
  const missing = CHAOSFLOW_SEARCH_ATTRIBUTES.filter((key) => !known.has(key.name));
  if (missing.length === 0) return [];
  await connection.operatorService.addSearchAttributes({
    namespace,
    searchAttributes: Object.fromEntries(missing.map((key) => [key.name, indexedValueType(key.type)])),
  });
  return missing.map((key) => key.name);
}

function indexedValueType(type: Parameters<typeof encodeSearchAttributeIndexedValueType>[0]) {
  const encoded = encodeSearchAttributeIndexedValueType(type);
  if (encoded === undefined) throw new Error(`no server type for search attribute type ${type}`);
  return encoded;
}
