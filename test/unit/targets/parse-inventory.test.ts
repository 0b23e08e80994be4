import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { InventoryError } from '../../../activities/targets/inventory-error.js';
import { isLoopbackAddress, parseInventory } from '../../../activities/targets/parse-inventory.js';

const examplePath = join(import.meta.dirname, '..', '..', '..', 'examples', 'inventory.yaml');

function problems(text: string): InventoryError {
  try {
    parseInventory(text, '/srv/inv.yaml');
  } catch (err) {
    return err as InventoryError;
  }
  throw new Error('expected the inventory to be refused');
}

const NODE = `nodes:
  - name: local
    daemon: { address: 127.0.0.1:31767 }
`;

describe('parseInventory', () => {
  it('reads the shipped example', () => {
    const { inventory } = parseInventory(readFileSync(examplePath, 'utf8'), examplePath);
    expect(inventory.nodes).toEqual([
      {
        name: 'local',
        labels: { 'kubernetes.io/hostname': 'local', zone: 'lab' },
        daemon: { address: '127.0.0.1:31767' },
      },
    ]);
    expect(inventory.pods).toEqual([
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

  it('applies defaults: phase Running, a stable uid, no labels', () => {
    const { inventory } = parseInventory(
      `${NODE}pods:\n  - { namespace: ns, name: p, node: local, containers: [{ name: c, id: "pid://7" }] }\n`,
      '/srv/inv.yaml',
    );
    expect(inventory.pods[0]).toMatchObject({
      phase: 'Running',
      uid: 'inventory:ns/p',
      labels: {},
      annotations: {},
    });
  });

  it('resolves TLS files relative to the inventory folder and reports them for checking', () => {
    const { inventory, files } = parseInventory(
      `nodes:
  - name: remote
    daemon:
      address: 10.0.0.5:31767
      tls: { caFile: certs/ca.crt, certFile: /etc/c/tls.crt, keyFile: certs/tls.key, serverName: agent.local }
`,
      '/srv/inv.yaml',
    );
    expect(inventory.nodes[0]?.daemon).toEqual({
      address: '10.0.0.5:31767',
      tls: {
        caFile: '/srv/certs/ca.crt',
        certFile: '/etc/c/tls.crt',
        keyFile: '/srv/certs/tls.key',
        serverName: 'agent.local',
      },
    });
    expect(files.map((f) => `${f.path}@${f.at.line}:${f.at.col}`)).toEqual([
      '/srv/certs/ca.crt@5:22',
      '/etc/c/tls.crt@5:46',
      '/srv/certs/tls.key@5:71',
    ]);
  });

  it('accepts plaintext to a non-loopback daemon only with insecure: true', () => {
    const text = (extra: string) => `nodes:\n  - name: n\n    daemon: { address: 10.0.0.5:31767${extra} }\n`;
    const err = problems(text(''));
    expect(err.code).toBe('INVENTORY_INVALID');
    expect(err.message).toContain(
      '/srv/inv.yaml:3:13: nodes[0].daemon: the daemon at 10.0.0.5:31767 is not on loopback',
    );
    expect(() => parseInventory(text(', insecure: true'), '/srv/inv.yaml')).not.toThrow();
  });

  const cases: { name: string; text: string; expected: string }[] = [
    {
      name: 'invalid YAML',
      text: 'nodes:\n  - name: "unterminated\n',
      expected: '/srv/inv.yaml:3:1: not valid YAML: Missing closing "quote',
    },
    {
      name: 'a document that is not a mapping',
      text: '- a\n- b\n',
      expected: '/srv/inv.yaml:1:1: the inventory must be a mapping',
    },
    {
      name: 'an unknown top-level field',
      text: `${NODE}pod: []\n`,
      expected: '/srv/inv.yaml:4:1: pod: unknown field "pod". Allowed here: apiVersion, kind, nodes, pods.',
    },
    {
      name: 'a wrong kind',
      text: `kind: Workflow\n${NODE}`,
      expected: '/srv/inv.yaml:1:7: kind: must be Inventory (or left out).',
    },
    {
      name: 'a container id without pid://',
      text: `${NODE}pods:\n  - namespace: ns\n    name: p\n    node: local\n    containers:\n      - name: c\n        id: 4242\n`,
      expected:
        '/srv/inv.yaml:10:13: pods[0].containers[0].id: "4242" is not of the form pid://<pid>. Write "pid://4242".',
    },
    {
      name: 'a missing container id',
      text: `${NODE}pods:\n  - { namespace: ns, name: p, node: local, containers: [{ name: c }] }\n`,
      expected: 'pods[0].containers[0].id: is required.',
    },
    {
      name: 'a pod without containers',
      text: `${NODE}pods:\n  - { namespace: ns, name: p, node: local }\n`,
      expected: 'pods[0].containers: needs at least one container',
    },
    {
      name: 'a pod on an unknown node',
      text: `${NODE}pods:\n  - { namespace: ns, name: p, node: far, containers: [{ name: c, id: "pid://1" }] }\n`,
      expected: '/srv/inv.yaml:5:37: pods[0].node: node "far" is not in `nodes`. Known: local.',
    },
    {
      name: 'a pod listed twice',
      text: `${NODE}pods:\n  - { namespace: ns, name: p, node: local, containers: [{ name: c, id: "pid://1" }] }\n  - { namespace: ns, name: p, node: local, containers: [{ name: c, id: "pid://2" }] }\n`,
      expected: 'pods[1].name: pod ns/p is listed twice.',
    },
    {
      name: 'a node listed twice',
      text: `${NODE}  - name: local\n    daemon: { address: 127.0.0.1:1 }\n`,
      expected: 'nodes[1].name: node "local" is listed twice',
    },
    {
      name: 'a container listed twice',
      text: `${NODE}pods:\n  - { namespace: ns, name: p, node: local, containers: [{ name: c, id: "pid://1" }, { name: c, id: "pid://2" }] }\n`,
      expected: 'pods[0].containers[1].name: container "c" is listed twice in this pod.',
    },
    {
      name: 'a label value that is not a string',
      text: `${NODE}pods:\n  - { namespace: ns, name: p, node: local, labels: { version: 2 }, containers: [{ name: c, id: "pid://1" }] }\n`,
      expected: 'pods[0].labels.version: must be a string: quote it, version: "2".',
    },
    {
      name: 'an unknown phase',
      text: `${NODE}pods:\n  - { namespace: ns, name: p, node: local, phase: running, containers: [{ name: c, id: "pid://1" }] }\n`,
      expected: 'pods[0].phase: must be one of Pending, Running, Succeeded, Failed, Unknown',
    },
    {
      name: 'an upper-case pod name',
      text: `${NODE}pods:\n  - { namespace: ns, name: Web, node: local, containers: [{ name: c, id: "pid://1" }] }\n`,
      expected: 'pods[0].name: "Web" must be lower-case',
    },
    {
      name: 'a daemon address without a port',
      text: 'nodes:\n  - name: n\n    daemon: { address: localhost }\n',
      expected: '/srv/inv.yaml:3:24: nodes[0].daemon.address: "localhost" is not host:port',
    },
    {
      name: 'a node without a daemon',
      text: 'nodes:\n  - name: n\n',
      expected: 'nodes[0].daemon: is required',
    },
    {
      name: 'a misspelt TLS field',
      text: 'nodes:\n  - name: n\n    daemon: { address: 127.0.0.1:1, tls: { caFile: a, certFile: b, keyfile: c } }\n',
      expected: 'nodes[0].daemon.tls.keyfile: unknown field "keyfile"',
    },
    {
      name: 'a duplicate key',
      text: `${NODE}nodes: []\n`,
      expected: '/srv/inv.yaml:4:1: nodes: "nodes" is given twice here; keep one.',
    },
  ];

  for (const { name, text, expected } of cases) {
    it(`refuses ${name}, saying where and how to fix it`, () => {
      const err = problems(text);
      expect(err.code).toBe('INVENTORY_INVALID');
      expect(err.message).toContain(expected);
      expect(err.issues.length).toBeGreaterThan(0);
    });
  }

  it('reports every problem of a file at once', () => {
    const err = problems(
      `nodes:\n  - name: a\n    daemon: { address: nowhere }\npods:\n  - { namespace: ns, name: p, node: b, containers: [{ name: c, id: "1" }] }\n`,
    );
    expect(err.issues.map((i) => i.path)).toEqual([
      'nodes[0].daemon.address',
      'pods[0].node',
      'pods[0].containers[0].id',
    ]);
    expect(err.message).toContain('(3 problems)');
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
});
