/**
 * The host inventory read through the manifests path: every problem a ManifestError at `file:line:col`, with
 * its code, pointer and fix, all listed at once; defaults applied and TLS paths resolved for the worker.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { POD_PHASES } from '../../../common/selection/pod-info.js';
import { formatManifestErrors } from '../../../manifests/format-error.js';
import { isLoopbackAddress } from '../../../manifests/inventory-checks.js';
import { readInventoryFile, readInventoryText } from '../../../manifests/read-inventory.js';
import { loadSchemaSet, resolveRef } from '../../../scripts/gen/schema-set.js';

const root = join(import.meta.dirname, '..', '..', '..');
const examplePath = join(root, 'examples', 'inventory.yaml');

/** The formatted problems of an inventory the checks must refuse. */
function problems(text: string): string {
  const result = readInventoryText(text, '/srv/inv.yaml');
  expect(result.inventory).toBeUndefined();
  expect(result.errors.length).toBeGreaterThan(0);
  return formatManifestErrors(result.errors);
}

function inventoryOf(text: string, file = '/srv/inv.yaml') {
  const result = readInventoryText(text, file);
  expect(result.errors).toEqual([]);
  if (!result.inventory) throw new Error('no inventory');
  return result;
}

const NODE = `nodes:
  - name: local
    daemon: { address: 127.0.0.1:31767 }
`;

describe('reading the host inventory', () => {
  it('reads the shipped example', async () => {
    const { inventory } = inventoryOf(await readFile(examplePath, 'utf8'), examplePath);
    expect(inventory?.nodes).toEqual([
      {
        name: 'local',
        labels: { 'kubernetes.io/hostname': 'local', zone: 'lab' },
        daemon: { address: '127.0.0.1:31767' },
      },
    ]);
    expect(inventory?.pods).toEqual([
      {
        namespace: 'default',
        name: 'demo-0',
        uid: 'inventory:default/demo-0',
        labels: { app: 'demo' },
        annotations: { owner: 'sre' },
        nodeName: 'local',
        phase: 'Running',
        podIPs: ['10.200.0.2'],
        containers: [{ name: 'server', containerId: 'pid://4242' }],
      },
    ]);
  });

  it('applies defaults: phase Running, a stable uid, no labels; apiVersion and kind may be left out', () => {
    const { inventory } = inventoryOf(
      `${NODE}pods:\n  - { namespace: ns, name: p, node: local, containers: [{ name: c, id: "pid://7" }] }\n`,
    );
    expect(inventory?.pods[0]).toMatchObject({
      phase: 'Running',
      uid: 'inventory:ns/p',
      labels: {},
      annotations: {},
    });
  });

  it('resolves TLS files relative to the inventory folder and reports them for checking', () => {
    const { inventory, files } = inventoryOf(
      `nodes:
  - name: remote
    daemon:
      address: 10.0.0.5:31767
      tls: { caFile: certs/ca.crt, certFile: /etc/c/tls.crt, keyFile: certs/tls.key, serverName: agent.local }
`,
    );
    expect(inventory?.nodes[0]?.daemon).toEqual({
      address: '10.0.0.5:31767',
      tls: {
        caFile: '/srv/certs/ca.crt',
        certFile: '/etc/c/tls.crt',
        keyFile: '/srv/certs/tls.key',
        serverName: 'agent.local',
      },
    });
    expect(files.map((f) => `${f.path}@${f.unreadable.line}:${f.unreadable.col}`)).toEqual([
      '/srv/certs/ca.crt@5:22',
      '/etc/c/tls.crt@5:46',
      '/srv/certs/tls.key@5:71',
    ]);
  });

  it('refuses TLS files that cannot be read, at the field naming each', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'chaosflow-read-inventory-'));
    try {
      const file = join(dir, 'inventory.yaml');
      await writeFile(join(dir, 'ca.crt'), 'pem');
      await writeFile(
        file,
        `nodes:\n  - name: n\n    daemon:\n      address: 10.0.0.5:1\n      tls: { caFile: ca.crt, certFile: tls.crt, keyFile: /nowhere/tls.key }\n`,
      );
      const result = await readInventoryFile(file);
      expect(result.inventory).toBeUndefined();
      expect(result.errors.map((e) => `${e.code} ${e.line}:${e.col} ${e.pointer} ${e.message}`)).toEqual([
        `INVENTORY_FILE_UNREADABLE 5:40 /nodes/0/daemon/tls/certFile cannot read ${join(dir, 'tls.crt')}`,
        'INVENTORY_FILE_UNREADABLE 5:58 /nodes/0/daemon/tls/keyFile cannot read /nowhere/tls.key',
      ]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('accepts plaintext to a non-loopback daemon only with insecure: true', () => {
    const text = (extra: string) => `nodes:\n  - name: n\n    daemon: { address: 10.0.0.5:31767${extra} }\n`;
    expect(problems(text(''))).toContain(
      '/srv/inv.yaml:3:13: error[INVENTORY_TLS_REQUIRED] /nodes/0/daemon: the daemon at 10.0.0.5:31767 is not on loopback, so it needs mutual TLS\n  fix: add tls: { caFile, certFile, keyFile }, or insecure: true',
    );
    inventoryOf(text(', insecure: true'));
  });

  const cases: { name: string; text: string; expected: string }[] = [
    {
      name: 'invalid YAML',
      text: 'nodes:\n  - name: "unterminated\n',
      expected: '/srv/inv.yaml:3:1: error[YAML_SYNTAX]: invalid YAML: Missing closing "quote',
    },
    {
      name: 'a document that is not a mapping',
      text: '- a\n- b\n',
      expected:
        '/srv/inv.yaml:1:1: error[DOCUMENT_NOT_OBJECT]: an inventory must be a mapping with nodes and pods',
    },
    {
      name: 'an unknown top-level field',
      text: `${NODE}pod: []\n`,
      expected:
        '/srv/inv.yaml:4:1: error[SCHEMA_UNKNOWN_FIELD] /pod: unknown field "pod"\n  fix: did you mean "pods"?',
    },
    {
      name: 'a wrong kind',
      text: `kind: Workflow\n${NODE}`,
      expected:
        '/srv/inv.yaml:1:7: error[SCHEMA_ENUM] /kind: "Workflow" is not an allowed value of kind\n  fix: use one of: Inventory',
    },
    {
      name: 'a container id without pid://',
      text: `${NODE}pods:\n  - namespace: ns\n    name: p\n    node: local\n    containers:\n      - name: c\n        id: 4242\n`,
      expected:
        '/srv/inv.yaml:10:13: error[SCHEMA_TYPE] /pods/0/containers/0/id: id must be a string, found the number 4242\n  fix: write the process, as pid://<pid>, such as pid://4242.',
    },
    {
      name: 'a container id that is not pid://<pid>',
      text: `${NODE}pods:\n  - { namespace: ns, name: p, node: local, containers: [{ name: c, id: "4242" }] }\n`,
      expected:
        '/pods/0/containers/0/id: "4242" is not in the expected format\n  fix: expected the process, as pid://<pid>',
    },
    {
      name: 'a missing container id',
      text: `${NODE}pods:\n  - { namespace: ns, name: p, node: local, containers: [{ name: c }] }\n`,
      expected: 'error[SCHEMA_REQUIRED] /pods/0/containers/0/id: missing required field "id"',
    },
    {
      name: 'a pod without containers',
      text: `${NODE}pods:\n  - { namespace: ns, name: p, node: local }\n`,
      expected:
        'error[SCHEMA_REQUIRED] /pods/0/containers: missing required field "containers" in pods[0]\n  fix: add containers: at least one process',
    },
    {
      name: 'a pod on an unknown node',
      text: `${NODE}pods:\n  - { namespace: ns, name: p, node: far, containers: [{ name: c, id: "pid://1" }] }\n`,
      expected:
        '/srv/inv.yaml:5:37: error[INVENTORY_NODE_NOT_FOUND] /pods/0/node: node "far" is not in `nodes`\n  fix: use one of: local',
    },
    {
      name: 'a pod listed twice',
      text: `${NODE}pods:\n  - { namespace: ns, name: p, node: local, containers: [{ name: c, id: "pid://1" }] }\n  - { namespace: ns, name: p, node: local, containers: [{ name: c, id: "pid://2" }] }\n`,
      expected: 'error[INVENTORY_NAME_DUPLICATE] /pods/1/name: pod ns/p is listed twice',
    },
    {
      name: 'a node listed twice',
      text: `${NODE}  - name: local\n    daemon: { address: 127.0.0.1:1 }\n`,
      expected: 'error[INVENTORY_NAME_DUPLICATE] /nodes/1/name: node "local" is listed twice',
    },
    {
      name: 'a container listed twice',
      text: `${NODE}pods:\n  - { namespace: ns, name: p, node: local, containers: [{ name: c, id: "pid://1" }, { name: c, id: "pid://2" }] }\n`,
      expected:
        'error[INVENTORY_NAME_DUPLICATE] /pods/0/containers/1/name: container "c" is listed twice in this pod',
    },
    {
      name: 'a label value that is not a string',
      text: `${NODE}pods:\n  - { namespace: ns, name: p, node: local, labels: { version: 2 }, containers: [{ name: c, id: "pid://1" }] }\n`,
      expected:
        'error[SCHEMA_TYPE] /pods/0/labels/version: version must be a string, found the number 2\n  fix: quote the value: "2"',
    },
    {
      name: 'an unknown phase',
      text: `${NODE}pods:\n  - { namespace: ns, name: p, node: local, phase: running, containers: [{ name: c, id: "pid://1" }] }\n`,
      expected:
        'error[SCHEMA_ENUM] /pods/0/phase: "running" is not an allowed value of phase\n  fix: did you mean Running? use one of: Pending, Running, Succeeded, Failed, Unknown',
    },
    {
      name: 'an upper-case pod name',
      text: `${NODE}pods:\n  - { namespace: ns, name: Web, node: local, containers: [{ name: c, id: "pid://1" }] }\n`,
      expected:
        'error[SCHEMA_PATTERN] /pods/0/name: "Web" is not in the expected format (DnsSubdomain)\n  fix: expected a DNS-1123 subdomain: lower-case letters',
    },
    {
      name: 'a daemon address without a port',
      text: 'nodes:\n  - name: n\n    daemon: { address: localhost }\n',
      expected:
        '/srv/inv.yaml:3:24: error[SCHEMA_PATTERN] /nodes/0/daemon/address: "localhost" is not in the expected format\n  fix: expected host:port',
    },
    {
      name: 'a node without a daemon',
      text: 'nodes:\n  - name: n\n',
      expected: 'error[SCHEMA_REQUIRED] /nodes/0/daemon: missing required field "daemon" in nodes[0]',
    },
    {
      name: 'a misspelt TLS field',
      text: 'nodes:\n  - name: n\n    daemon: { address: 127.0.0.1:1, tls: { caFile: a, certFile: b, keyfile: c } }\n',
      expected:
        'error[SCHEMA_UNKNOWN_FIELD] /nodes/0/daemon/tls/keyfile: unknown field "keyfile" in tls\n  fix: did you mean "keyFile"?',
    },
    {
      name: 'a duplicate key',
      text: `${NODE}nodes: []\n`,
      expected: '/srv/inv.yaml:4:1: error[YAML_DUPLICATE_KEY]: a key appears twice in the same mapping',
    },
    {
      name: 'a second document',
      text: `${NODE}---\n${NODE}`,
      expected:
        '/srv/inv.yaml:5:1: error[INVENTORY_MULTIPLE_DOCUMENTS]: an inventory file holds one inventory, and this is document 2',
    },
    {
      name: 'an empty file',
      text: '# nothing yet\n',
      expected: '/srv/inv.yaml:1:1: error[FILE_EMPTY]: the file holds no inventory',
    },
  ];

  for (const { name, text, expected } of cases) {
    it(`refuses ${name}, saying where and how to fix it`, () => {
      expect(problems(text)).toContain(expected);
    });
  }

  it('reports every problem of a file at once, the schema and the other checks together', () => {
    const { errors } = readInventoryText(
      `nodes:\n  - name: a\n    daemon: { address: nowhere }\npods:\n  - { namespace: ns, name: p, node: b, containers: [{ name: c, id: "1" }] }\n`,
      '/srv/inv.yaml',
    );
    expect(errors.map((e) => e.pointer)).toEqual([
      '/nodes/0/daemon/address',
      '/pods/0/node',
      '/pods/0/containers/0/id',
    ]);
  });

  it('knows loopback addresses', () => {
    expect(['127.0.0.1:1', '127.1.2.3:80', 'localhost:9', '[::1]:31767'].map(isLoopbackAddress)).toEqual([
      true,
      true,
      true,
      true,
    ]);
    expect(['10.0.0.1:1', 'example.com:80', '[fe80::1]:1'].map(isLoopbackAddress)).toEqual([
      false,
      false,
      false,
    ]);
  });

  it('allows in the schema exactly the pod phases target selection knows', async () => {
    const set = await loadSchemaSet(join(root, 'schemas'));
    const pod = resolveRef(
      set,
      'inventory.schema.json#/definitions/InventoryPodSpec',
      'https://chaosflow.dev/schemas/x',
    );
    expect((pod.schema.properties as { phase: { enum: unknown } }).phase.enum).toEqual(POD_PHASES);
  });
});
