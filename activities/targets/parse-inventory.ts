/**
 * Parses and checks the host inventory YAML (format: README.md beside this file). Hand-written checks over the
 * YAML document keep each problem's line and column; every problem is collected, not just the first.
 */
import { dirname, isAbsolute, join } from 'node:path';
import { isMap, isSeq, LineCounter, parseDocument, type YAMLMap } from 'yaml';
import {
  POD_PHASES,
  type ContainerInfo,
  type PodInfo,
  type PodPhase,
} from '../../common/selection/pod-info.js';
import { formatIssue, InventoryError, type InventoryIssue } from './inventory-error.js';
import type { DaemonRef } from './target-source.js';
import { scalarValue, YamlChecker, type Where } from './yaml-checker.js';

export const INVENTORY_API_VERSION = 'chaosflow.dev/v1alpha1';
export const INVENTORY_KIND = 'Inventory';

export interface InventoryNode {
  name: string;
  labels: Record<string, string>;
  daemon: DaemonRef;
}

export interface Inventory {
  /** The file it was read from. */
  file: string;
  nodes: InventoryNode[];
  pods: PodInfo[];
}

/** A file the inventory refers to (TLS material) and where it is written, for the loader to check. */
export interface FileReference {
  path: string;
  at: Where;
}

export interface ParsedInventory {
  inventory: Inventory;
  files: FileReference[];
}

const PID_ID = /^pid:\/\/[1-9]\d*$/;
const ADDRESS = /^(?:\[([0-9A-Fa-f:.]+)\]|([A-Za-z0-9.-]+)):(\d{1,5})$/;
const KUBE_NAME = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;

export function isLoopbackAddress(address: string): boolean {
  const m = ADDRESS.exec(address);
  const host = m?.[1] ?? m?.[2] ?? '';
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/** Throws InventoryError (INVENTORY_INVALID) listing every problem. */
export function parseInventory(text: string, file: string): ParsedInventory {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: false });
  const check = new YamlChecker(file, lines);
  for (const err of doc.errors) {
    const pos = lines.linePos(err.pos[0]);
    check.issues.push({
      file,
      line: pos.line,
      col: pos.col,
      path: '',
      message: `not valid YAML: ${err.message.split('\n')[0]}`,
    });
  }
  if (check.issues.length > 0) throw invalid(file, check.issues);

  const root = doc.contents;
  if (!isMap(root)) {
    check.issue(
      root,
      '',
      'the inventory must be a mapping with `nodes` and `pods`. See examples/inventory.yaml.',
    );
    throw invalid(file, check.issues);
  }
  check.onlyKeys(root, '', ['apiVersion', 'kind', 'nodes', 'pods']);
  for (const [key, expected] of [
    ['apiVersion', INVENTORY_API_VERSION],
    ['kind', INVENTORY_KIND],
  ] as const) {
    const node = check.field(root, key);
    if (node !== undefined && scalarValue(node) !== expected)
      check.issue(node, key, `must be ${expected} (or left out).`);
  }

  const files: FileReference[] = [];
  const nodes = parseNodes(check, root, (p) => (isAbsolute(p) ? p : join(dirname(file), p)), files);
  const pods = parsePods(check, root, new Set(nodes.declared));
  if (check.issues.length > 0) throw invalid(file, check.issues);
  return { inventory: { file, nodes: nodes.parsed, pods }, files };
}

function parseNodes(
  check: YamlChecker,
  root: YAMLMap,
  resolvePath: (p: string) => string,
  files: FileReference[],
): { parsed: InventoryNode[]; declared: string[] } {
  const parsed: InventoryNode[] = [];
  const declared: string[] = [];
  const list = check.field(root, 'nodes');
  if (list !== undefined && !isSeq(list) && scalarValue(list) !== null)
    check.issue(list, 'nodes', 'must be a list of nodes.');
  for (const [i, item] of (isSeq(list) ? list.items : []).entries()) {
    const path = `nodes[${i}]`;
    if (!isMap(item)) {
      check.issue(item, path, 'must be a mapping with name, labels and daemon.');
      continue;
    }
    check.onlyKeys(item, path, ['name', 'labels', 'daemon']);
    const name = check.string(check.field(item, 'name'), `${path}.name`, 'name');
    if (name !== undefined && declared.includes(name)) {
      check.issue(
        check.field(item, 'name'),
        `${path}.name`,
        `node "${name}" is listed twice; give each node one entry.`,
      );
    }
    if (name !== undefined) declared.push(name);
    const labels = check.stringMap(check.field(item, 'labels'), `${path}.labels`);
    const daemon = parseDaemon(check, item, `${path}.daemon`, resolvePath, files);
    if (name !== undefined && daemon !== undefined) parsed.push({ name, labels, daemon });
  }
  return { parsed, declared };
}

function parseDaemon(
  check: YamlChecker,
  nodeItem: YAMLMap,
  path: string,
  resolvePath: (p: string) => string,
  files: FileReference[],
): DaemonRef | undefined {
  const map = check.field(nodeItem, 'daemon');
  if (!isMap(map)) {
    check.issue(
      map ?? nodeItem,
      path,
      'is required: `daemon: { address: 127.0.0.1:31767 }` (where the chaosflow agent listens).',
    );
    return undefined;
  }
  check.onlyKeys(map, path, ['address', 'tls', 'insecure']);
  const addressNode = check.field(map, 'address');
  const address = check.string(addressNode, `${path}.address`, 'address');
  const match = address === undefined ? null : ADDRESS.exec(address);
  if (address !== undefined && (!match || Number(match[3]) > 65535)) {
    check.issue(
      addressNode,
      `${path}.address`,
      `"${address}" is not host:port; write e.g. 127.0.0.1:31767 or [::1]:31767.`,
    );
  }
  const insecureNode = check.field(map, 'insecure');
  if (insecureNode !== undefined && typeof scalarValue(insecureNode) !== 'boolean') {
    check.issue(insecureNode, `${path}.insecure`, 'must be true or false.');
  }
  const tlsNode = check.field(map, 'tls');
  let tls: DaemonRef['tls'];
  if (tlsNode !== undefined) {
    if (!isMap(tlsNode)) {
      check.issue(
        tlsNode,
        `${path}.tls`,
        'must be a mapping with caFile, certFile, keyFile (and optionally serverName).',
      );
    } else {
      check.onlyKeys(tlsNode, `${path}.tls`, ['caFile', 'certFile', 'keyFile', 'serverName']);
      const fileField = (key: 'caFile' | 'certFile' | 'keyFile') => {
        const node = check.field(tlsNode, key);
        const value = check.string(node, `${path}.tls.${key}`, key);
        if (value === undefined) return undefined;
        files.push({ path: resolvePath(value), at: check.at(node, `${path}.tls.${key}`) });
        return resolvePath(value);
      };
      const [caFile, certFile, keyFile] = [fileField('caFile'), fileField('certFile'), fileField('keyFile')];
      const serverNameNode = check.field(tlsNode, 'serverName');
      const serverName =
        serverNameNode === undefined
          ? undefined
          : check.string(serverNameNode, `${path}.tls.serverName`, 'serverName');
      if (caFile && certFile && keyFile)
        tls = { caFile, certFile, keyFile, ...(serverName ? { serverName } : {}) };
    }
  } else if (match && !isLoopbackAddress(address ?? '') && scalarValue(insecureNode) !== true) {
    check.issue(
      map,
      path,
      `the daemon at ${address} is not on loopback, so it needs mutual TLS: add tls: { caFile, certFile, keyFile }, or insecure: true to accept plaintext.`,
    );
  }
  return address === undefined ? undefined : { address, ...(tls ? { tls } : {}) };
}

function parsePods(check: YamlChecker, root: YAMLMap, nodeNames: ReadonlySet<string>): PodInfo[] {
  const pods: PodInfo[] = [];
  const list = check.field(root, 'pods');
  if (list !== undefined && !isSeq(list) && scalarValue(list) !== null)
    check.issue(list, 'pods', 'must be a list of pods.');
  for (const [i, item] of (isSeq(list) ? list.items : []).entries()) {
    const path = `pods[${i}]`;
    if (!isMap(item)) {
      check.issue(item, path, 'must be a mapping with namespace, name, node and containers.');
      continue;
    }
    check.onlyKeys(item, path, [
      'namespace',
      'name',
      'uid',
      'labels',
      'annotations',
      'node',
      'phase',
      'ips',
      'containers',
    ]);
    const [namespace, name] = (['namespace', 'name'] as const).map((key) => {
      const value = check.string(check.field(item, key), `${path}.${key}`, key);
      if (value !== undefined && !KUBE_NAME.test(value)) {
        check.issue(
          check.field(item, key),
          `${path}.${key}`,
          `"${value}" must be lower-case letters, digits, "-" and ".", as in Kubernetes.`,
        );
      }
      return value;
    });
    if (
      namespace !== undefined &&
      name !== undefined &&
      pods.some((p) => p.namespace === namespace && p.name === name)
    ) {
      check.issue(check.field(item, 'name'), `${path}.name`, `pod ${namespace}/${name} is listed twice.`);
    }
    const uidNode = check.field(item, 'uid');
    const uid = uidNode === undefined ? undefined : check.string(uidNode, `${path}.uid`, 'uid');
    const nodeRef = check.field(item, 'node');
    const node = check.string(nodeRef, `${path}.node`, 'node');
    if (node !== undefined && !nodeNames.has(node)) {
      check.issue(
        nodeRef,
        `${path}.node`,
        `node "${node}" is not in \`nodes\`. Known: ${[...nodeNames].join(', ') || '(none)'}.`,
      );
    }
    const phaseNode = check.field(item, 'phase');
    const phase = scalarValue(phaseNode) ?? 'Running';
    if (!(POD_PHASES as readonly unknown[]).includes(phase)) {
      check.issue(phaseNode, `${path}.phase`, `must be one of ${POD_PHASES.join(', ')} (default Running).`);
    }
    const ipsNode = check.field(item, 'ips');
    if (ipsNode !== undefined && !isSeq(ipsNode))
      check.issue(ipsNode, `${path}.ips`, 'must be a list of IP addresses.');
    const ips = (isSeq(ipsNode) ? ipsNode.items : []).flatMap(
      (ip, j) => check.string(ip, `${path}.ips[${j}]`, 'an IP address') ?? [],
    );
    const containers = parseContainers(check, item, `${path}.containers`);
    if (namespace !== undefined && name !== undefined && node !== undefined) {
      pods.push({
        namespace,
        name,
        uid: uid ?? `inventory:${namespace}/${name}`,
        labels: check.stringMap(check.field(item, 'labels'), `${path}.labels`),
        annotations: check.stringMap(check.field(item, 'annotations'), `${path}.annotations`),
        nodeName: node,
        phase: phase as PodPhase,
        ...(ips.length > 0 ? { podIPs: ips } : {}),
        containers,
      });
    }
  }
  return pods;
}

function parseContainers(check: YamlChecker, pod: YAMLMap, path: string): ContainerInfo[] {
  const list = check.field(pod, 'containers');
  const containers: ContainerInfo[] = [];
  if (!isSeq(list) || list.items.length === 0) {
    check.issue(
      list ?? pod,
      path,
      'needs at least one container: `containers: [{ name: app, id: "pid://1234" }]`.',
    );
    return containers;
  }
  for (const [j, c] of list.items.entries()) {
    const cpath = `${path}[${j}]`;
    if (!isMap(c)) {
      check.issue(c, cpath, 'must be a mapping with name and id.');
      continue;
    }
    check.onlyKeys(c, cpath, ['name', 'id']);
    const name = check.string(check.field(c, 'name'), `${cpath}.name`, 'name');
    if (name !== undefined && containers.some((x) => x.name === name)) {
      check.issue(
        check.field(c, 'name'),
        `${cpath}.name`,
        `container "${name}" is listed twice in this pod.`,
      );
    }
    const idNode = check.field(c, 'id');
    const id = scalarValue(idNode);
    if (typeof id !== 'string' || !PID_ID.test(id)) {
      const written = id === undefined || id === null ? undefined : String(id);
      const hint =
        written !== undefined && /^\d+$/.test(written)
          ? `Write "pid://${written}".`
          : 'Write the process id as "pid://<pid>".';
      check.issue(
        idNode ?? c,
        `${cpath}.id`,
        `${written === undefined ? 'is required' : `"${written}" is not of the form pid://<pid>`}. ${hint}`,
      );
    } else if (name !== undefined) {
      containers.push({ name, containerId: id });
    }
  }
  return containers;
}

function invalid(file: string, issues: readonly InventoryIssue[]): InventoryError {
  const shown = issues.slice(0, 20).map(formatIssue);
  const more = issues.length > shown.length ? `\n(and ${issues.length - shown.length} more)` : '';
  return new InventoryError(
    'INVENTORY_INVALID',
    `${file} is not a valid host inventory (${issues.length} problem${issues.length === 1 ? '' : 's'}):\n${shown.join('\n')}${more}`,
    issues,
  );
}
