/**
 * The host inventory as a TargetSource: a YAML file listing nodes (each with the address of its chaosflow agent)
 * and "pods" that are really local processes (`pid://<pid>` containers). The file is read through the manifests
 * path (`manifests/read-inventory.ts`: positions, the Inventory schema, the inventory checks, readable TLS
 * files), so its problems are ManifestErrors like those of any manifest. It is checked on every call (its
 * modification time, size and inode) and read again when it changed, so an edit takes effect on the next
 * experiment without restarting the worker. A file that became invalid is an error, never a silent fallback to
 * the previous content.
 */
import { errorMessage } from '../../common/errors/chaosflow-error.js';
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { NodeLabels, PodInfo } from '../../common/selection/pod-info.js';
import type { Inventory } from '../../manifests/compile-inventory.js';
import type { ManifestError } from '../../manifests/errors.js';
import { formatManifestErrors } from '../../manifests/format-error.js';
import { readInventoryFile } from '../../manifests/read-inventory.js';
import { InventoryError } from './inventory-error.js';
import type { DaemonRef, TargetSource } from './target-source.js';

/** Problems listed in the message; all of them are in `InventoryError.context.issues`. */
const SHOWN = 20;

interface Loaded {
  inventory: Inventory;
  version: string;
}

export class InventoryTargetSource implements TargetSource {
  readonly file: string;
  #loaded: Loaded | undefined;

  constructor(file: string) {
    this.file = resolve(file);
  }

  /** The inventory as it is now on disk, read again if the file changed since the last call. */
  async current(): Promise<Inventory> {
    let version: string;
    try {
      const s = await stat(this.file);
      version = `${s.ino}:${s.size}:${s.mtimeMs}`;
    } catch (err) {
      throw unreadable(this.file, err);
    }
    if (this.#loaded?.version === version) return this.#loaded.inventory;
    const { inventory, errors } = await readInventoryFile(this.file);
    const unread = errors.find((e) => e.code === 'FILE_UNREADABLE');
    if (unread) throw unreadable(this.file, new Error(unread.message));
    if (!inventory) throw invalid(this.file, errors);
    this.#loaded = { inventory, version };
    return inventory;
  }

  async listPods(namespaces?: readonly string[]): Promise<PodInfo[]> {
    const { pods } = await this.current();
    return namespaces === undefined ? [...pods] : pods.filter((p) => namespaces.includes(p.namespace));
  }

  async nodeLabels(): Promise<NodeLabels> {
    const { nodes } = await this.current();
    return Object.fromEntries(nodes.map((n) => [n.name, n.labels]));
  }

  async daemonFor(node: string): Promise<DaemonRef> {
    const { nodes } = await this.current();
    const found = nodes.find((n) => n.name === node);
    if (!found) {
      throw new InventoryError(
        'INVENTORY_UNKNOWN_NODE',
        `node "${node}" is not in the inventory ${this.file}. Known nodes: ${nodes.map((n) => n.name).join(', ') || '(none)'}.`,
      );
    }
    return found.daemon;
  }
}

function invalid(file: string, errors: readonly ManifestError[]): InventoryError {
  const more = errors.length > SHOWN ? `(and ${errors.length - SHOWN} more)\n` : '';
  const count = `${errors.length} problem${errors.length === 1 ? '' : 's'}`;
  return new InventoryError(
    'INVENTORY_INVALID',
    `${file} is not a valid host inventory (${count}):\n${formatManifestErrors(errors.slice(0, SHOWN))}${more}`.trimEnd(),
    errors,
  );
}

function unreadable(file: string, err: unknown): InventoryError {
  const reason = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'it does not exist' : errorMessage(err);
  return new InventoryError(
    'INVENTORY_UNREADABLE',
    `cannot read the host inventory ${file}: ${reason}. Point the worker at an inventory file (see examples/inventory.yaml).`,
    [],
    { cause: err },
  );
}
