/**
 * Checks of a host inventory beyond its schema: names are unique (nodes; pods within a namespace; containers
 * within a pod), every pod is on a declared node, and a daemon off loopback has mutual TLS or says
 * `insecure: true`. That the TLS files can be read is checked where the inventory is used
 * (`read-inventory.ts`), since they usually exist only on the worker's machine.
 *
 * Unlike the checks of the other kinds, these also run on an inventory the schema refused, so that one pass
 * lists every problem of the file: they read each value defensively and skip the fields the schema already
 * reported (`reported(pointer)`).
 */
import { suggest } from './did-you-mean.js';
import { joinPointer, type ManifestIssue } from './errors.js';

export function checkInventory(
  inventory: Readonly<Record<string, unknown>>,
  reported: (pointer: string) => boolean,
  issues: ManifestIssue[],
): void {
  const nodes = new Set<string>();
  entries(inventory.nodes).forEach((node, i) => {
    const at = joinPointer('/nodes', i);
    const name = text(node.name);
    if (name !== undefined && !reported(joinPointer(at, 'name'))) {
      const listed = `node ${JSON.stringify(name)} is listed twice`;
      if (nodes.has(name))
        issues.push(duplicate(joinPointer(at, 'name'), listed, 'give each node one entry'));
      nodes.add(name);
    }
    const daemon = isRecord(node.daemon) ? node.daemon : undefined;
    const address = text(daemon?.address);
    if (daemon === undefined || address === undefined || reported(joinPointer(at, 'daemon'))) return;
    if (daemon.tls === undefined && daemon.insecure !== true && !isLoopbackAddress(address)) {
      issues.push({
        code: 'INVENTORY_TLS_REQUIRED',
        pointer: joinPointer(at, 'daemon'),
        message: `the daemon at ${address} is not on loopback, so it needs mutual TLS`,
        fix: 'add tls: { caFile, certFile, keyFile }, or insecure: true to accept plaintext',
      });
    }
  });
  const pods = new Set<string>();
  entries(inventory.pods).forEach((pod, i) => {
    const at = joinPointer('/pods', i);
    const [namespace, name, node] = [text(pod.namespace), text(pod.name), text(pod.node)];
    const named = !reported(joinPointer(at, 'namespace')) && !reported(joinPointer(at, 'name'));
    if (namespace !== undefined && name !== undefined && named) {
      const id = `${namespace}/${name}`;
      if (pods.has(id)) {
        issues.push(
          duplicate(
            joinPointer(at, 'name'),
            `pod ${id} is listed twice`,
            'give each pod of a namespace one entry',
          ),
        );
      }
      pods.add(id);
    }
    if (node !== undefined && !nodes.has(node) && !reported(joinPointer(at, 'node'))) {
      const hint = suggest(node, [...nodes]);
      issues.push({
        code: 'INVENTORY_NODE_NOT_FOUND',
        pointer: joinPointer(at, 'node'),
        message: `node ${JSON.stringify(node)} is not in \`nodes\``,
        fix: `${hint ? `did you mean ${hint}? ` : ''}use one of: ${[...nodes].join(', ') || '(none yet: add it to nodes)'}`,
      });
    }
    const containers = new Set<string>();
    entries(pod.containers).forEach((container, j) => {
      const pointer = joinPointer(at, 'containers', j, 'name');
      const containerName = text(container.name);
      if (containerName === undefined || reported(pointer)) return;
      if (containers.has(containerName)) {
        issues.push(
          duplicate(
            pointer,
            `container ${JSON.stringify(containerName)} is listed twice in this pod`,
            'give each container of the pod its own name',
          ),
        );
      }
      containers.add(containerName);
    });
  });
}

/** `address` is `host:port` or `[v6]:port` (the schema's format). */
export function isLoopbackAddress(address: string): boolean {
  const host = address.replace(/:\d+$/, '').replace(/^\[(.*)\]$/, '$1');
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

function duplicate(pointer: string, message: string, fix: string): ManifestIssue {
  return { code: 'INVENTORY_NAME_DUPLICATE', pointer, message, fix };
}

/** The mappings of a list (other items are the schema's to report). */
function entries(list: unknown): Readonly<Record<string, unknown>>[] {
  return Array.isArray(list) ? list.map((item: unknown) => (isRecord(item) ? item : {})) : [];
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function isRecord(value: unknown): value is Readonly<Record<string, unknown>> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
