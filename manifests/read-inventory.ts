/**
 * The host inventory file as the worker reads it, through the path every manifest takes: loaded with source
 * positions, checked by the generated validator of the Inventory schema and by the inventory checks, then
 * compiled for target resolution; `readInventoryFile` also checks that the TLS files it names can be read.
 * The file holds one document, which may leave out apiVersion and kind. Bad input never throws: every problem
 * is a ManifestError, `file:line:col` included.
 */
import { access, constants, readFile } from 'node:fs/promises';
import { compileInventory, type Inventory } from './compile-inventory.js';
import type { ManifestError } from './errors.js';
import { loadManifests } from './load.js';
import { byPosition, fileUnreadable, place, placeIn } from './place-issues.js';
import { validateInventory } from './validate.js';

export interface InventoryFileResult {
  file: string;
  /** Set when there is no error. */
  inventory?: Inventory;
  /** The TLS files the inventory names, each with the error to report if it cannot be read. */
  files: { path: string; unreadable: ManifestError }[];
  /** Sorted by position. (No check of an inventory gives a warning.) */
  errors: ManifestError[];
}

export async function readInventoryFile(path: string): Promise<InventoryFileResult> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    return { file: path, files: [], errors: [fileUnreadable(path, err)] };
  }
  const result = readInventoryText(text, path);
  if (!result.inventory) return result;
  const errors: ManifestError[] = [];
  for (const ref of result.files) {
    try {
      await access(ref.path, constants.R_OK);
    } catch {
      errors.push(ref.unreadable);
    }
  }
  if (errors.length === 0) return result;
  const { inventory: _, ...invalid } = result;
  return { ...invalid, errors };
}

/** The checks that need nothing but the text; `readInventoryFile` adds the TLS files. */
export function readInventoryText(text: string, file: string): InventoryFileResult {
  const loaded = loadManifests(text);
  const errors: ManifestError[] = loaded.syntaxErrors.map(({ issue, document, position }) =>
    place(issue, file, document, position),
  );
  const [doc, ...more] = loaded.documents;
  for (const extra of more) {
    errors.push(
      placeIn(extra, file, {
        code: 'INVENTORY_MULTIPLE_DOCUMENTS',
        pointer: '',
        message: `an inventory file holds one inventory, and this is document ${extra.index + 1}`,
        fix: 'merge its nodes and pods into the first document, or remove it',
      }),
    );
  }
  if (doc === undefined) {
    if (errors.length === 0) {
      errors.push({
        code: 'FILE_EMPTY',
        file,
        line: 1,
        col: 1,
        pointer: '',
        message: 'the file holds no inventory',
        fix: 'list the nodes and pods (see examples/inventory.yaml)',
      });
    }
    return { file, files: [], errors: errors.sort(byPosition) };
  }
  const validation = validateInventory(doc.value);
  if (!validation.ok) errors.push(...validation.errors.map((e) => placeIn(doc, file, e)));
  errors.sort(byPosition);
  if (!validation.ok || errors.length > 0) return { file, files: [], errors };
  const { inventory, files } = compileInventory(validation.inventory, file);
  const checks = files.map(({ path, pointer }) => ({
    path,
    unreadable: placeIn(doc, file, {
      code: 'INVENTORY_FILE_UNREADABLE',
      pointer,
      message: `cannot read ${path}`,
      fix: "check the path (a relative path starts at the inventory's folder) and that the worker may read it",
    }),
  }));
  return { file, inventory, files: checks, errors };
}
