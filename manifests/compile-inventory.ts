/**
 * A valid host inventory to what target resolution reads (`activities/targets/`): pods as `PodInfo` with their
 * defaults (phase Running, uid `inventory:<namespace>/<name>`, no labels), and TLS paths made absolute from the
 * inventory's folder. The TLS files are returned with the pointer of the field naming each, to be checked.
 */
import { dirname, isAbsolute, join } from 'node:path';
import type { InventoryManifest, InventoryTlsSpec } from '../common/generated/manifest-types.js';
import type { PodInfo } from '../common/selection/pod-info.js';
import { INVENTORY_POD_DEFAULT_PHASE } from './defaults.js';
import { joinPointer } from './errors.js';

export interface InventoryTlsFiles {
  caFile: string;
  certFile: string;
  keyFile: string;
  serverName?: string;
}

/** How to reach the agent (or Chaos Daemon) of a node; absent `tls` means plaintext. */
export interface InventoryDaemon {
  address: string;
  tls?: InventoryTlsFiles;
}

export interface InventoryNode {
  name: string;
  labels: Record<string, string>;
  daemon: InventoryDaemon;
}

export interface Inventory {
  /** The file it was read from. */
  file: string;
  nodes: InventoryNode[];
  pods: PodInfo[];
}

/** A file the inventory names (TLS material), absolute, and the pointer of the field that names it. */
export interface InventoryFileRef {
  path: string;
  pointer: string;
}

const TLS_FILES = ['caFile', 'certFile', 'keyFile'] as const;

export function compileInventory(
  manifest: InventoryManifest,
  file: string,
): { inventory: Inventory; files: InventoryFileRef[] } {
  const files: InventoryFileRef[] = [];
  const resolve = (path: string) => (isAbsolute(path) ? path : join(dirname(file), path));
  const nodes = (manifest.nodes ?? []).map((node, i): InventoryNode => {
    const { address, tls } = node.daemon;
    if (tls) {
      for (const key of TLS_FILES)
        files.push({ path: resolve(tls[key]), pointer: joinPointer('/nodes', i, 'daemon', 'tls', key) });
    }
    return {
      name: node.name,
      labels: { ...node.labels },
      daemon: { address, ...(tls ? { tls: tlsFiles(tls, resolve) } : {}) },
    };
  });
  const pods = (manifest.pods ?? []).map((pod): PodInfo => ({
    namespace: pod.namespace,
    name: pod.name,
    uid: pod.uid ?? `inventory:${pod.namespace}/${pod.name}`,
    labels: { ...pod.labels },
    annotations: { ...pod.annotations },
    nodeName: pod.node,
    phase: pod.phase ?? INVENTORY_POD_DEFAULT_PHASE,
    ...((pod.ips ?? []).length > 0 ? { podIPs: [...(pod.ips ?? [])] } : {}),
    containers: pod.containers.map((c) => ({ name: c.name, containerId: c.id })),
  }));
  return { inventory: { file, nodes, pods }, files };
}

function tlsFiles(tls: InventoryTlsSpec, resolve: (path: string) => string): InventoryTlsFiles {
  return {
    caFile: resolve(tls.caFile),
    certFile: resolve(tls.certFile),
    keyFile: resolve(tls.keyFile),
    ...(tls.serverName === undefined ? {} : { serverName: tls.serverName }),
  };
}
