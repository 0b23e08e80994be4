/**
 * The host inventory as a TargetSource: a YAML file listing nodes (each with the address of its chaosflow agent)
 * and "pods" that are really local processes (`pid://<pid>` containers). The file is checked on every call
 * (its modification time, size and inode) and read again when it changed, so an edit takes effect on the next
 * experiment without restarting the worker. A file that became invalid is an error, never a silent fallback to
 * the previous content.
 */
import { access, constants, readFile, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { NodeLabels, PodInfo } from '../../common/selection/pod-info.js';
import { formatIssue, InventoryError, type InventoryIssue } from './inventory-error.js';
import { parseInventory, type Inventory } from './parse-inventory.js';
import type { DaemonRef, TargetSource } from './target-source.js';

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
    let text: string;
    try {
      text = await readFile(this.file, 'utf8');
    } catch (err) {
      throw unreadable(this.file, err);
    }
    const { inventory, files } = parseInventory(text, this.file);
    const missing: InventoryIssue[] = [];
    for (const ref of files) {
      try {
        await access(ref.path, constants.R_OK);
      } catch {
        missing.push({
          ...ref.at,
          message: `cannot read ${ref.path}; check the path (relative paths start at the inventory's folder).`,
        });
      }
    }
    if (missing.length > 0) {
      throw new InventoryError(
        'INVENTORY_INVALID',
        `${this.file} refers to files that cannot be read:\n${missing.map(formatIssue).join('\n')}`,
        missing,
      );
    }
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

function unreadable(file: string, err: unknown): InventoryError {
  const reason =
    (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'it does not exist' : (err as Error).message;
  return new InventoryError(
    'INVENTORY_UNREADABLE',
    `cannot read the host inventory ${file}: ${reason}. Point the worker at an inventory file (see examples/inventory.yaml).`,
    [],
    { cause: err },
  );
}
