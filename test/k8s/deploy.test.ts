/**
 * `deploy/` on a real kube-apiserver: it renders with the real `kubectl kustomize`, the API server accepts every
 * object (server-side dry run, after the namespace and the CRDs exist), and each component's ServiceAccount can
 * do exactly what it needs: SubjectAccessReviews for every permission it uses, and for a set of things it must
 * not be able to do (read Secrets, create pods, change objects it does not own).
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { AuthorizationV1Api, type V1ResourceAttributes } from '@kubernetes/client-node';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { describeWithTools } from '../harness/describe-with-tools.js';
import { startKubeApiServer, type TestKubeApiServer } from '../../embedded/kube-apiserver.js';
import { requireTool } from '../../embedded/installed-tools.js';

const run = promisify(execFile);
const root = join(import.meta.dirname, '..', '..');
const NAMESPACE = 'chaosflow-system';
const KINDS = [
  'workflows',
  'schedules',
  'podchaos',
  'networkchaos',
  'stresschaos',
  'iochaos',
  'timechaos',
  'httpchaos',
  'dnschaos',
];

type Access = [verb: string, resource: string, options?: Partial<V1ResourceAttributes>];

/** What each component does with the API (every one must be allowed) and things it must never do. */
const EXPECTED: Record<string, { allowed: Access[]; denied: Access[] }> = {
  'chaosflow-controller': {
    allowed: [
      ...KINDS.flatMap((plural): Access[] =>
        ['get', 'list', 'watch', 'patch'].map((verb): Access => [
          verb,
          plural,
          { group: 'chaosflow.dev', namespace: 'shop' },
        ]),
      ),
      ...KINDS.map((plural): Access => [
        'patch',
        plural,
        { group: 'chaosflow.dev', subresource: 'status', namespace: 'shop' },
      ]),
      ['create', 'events', { namespace: 'shop' }],
      ['create', 'leases', { group: 'coordination.k8s.io', namespace: NAMESPACE }],
      ['get', 'leases', { group: 'coordination.k8s.io', namespace: NAMESPACE, name: 'chaosflow-controller' }],
      [
        'update',
        'leases',
        { group: 'coordination.k8s.io', namespace: NAMESPACE, name: 'chaosflow-controller' },
      ],
    ],
    denied: [
      ['get', 'secrets', { namespace: NAMESPACE }],
      ['list', 'secrets'],
      ['list', 'pods'],
      ['delete', 'pods', { namespace: 'shop' }],
      ['delete', 'workflows', { group: 'chaosflow.dev', namespace: 'shop' }],
      ['create', 'workflows', { group: 'chaosflow.dev', namespace: 'shop' }],
      ['update', 'leases', { group: 'coordination.k8s.io', namespace: NAMESPACE, name: 'another-lease' }],
      [
        'update',
        'leases',
        { group: 'coordination.k8s.io', namespace: 'kube-system', name: 'chaosflow-controller' },
      ],
    ],
  },
  'chaosflow-worker': {
    allowed: [
      ['list', 'pods'],
      ['get', 'pods', { namespace: 'shop' }],
      ['delete', 'pods', { namespace: 'shop' }],
      ['patch', 'pods', { namespace: 'shop' }],
      ['list', 'nodes'],
      ['list', 'namespaces'],
    ],
    denied: [
      ['get', 'secrets', { namespace: NAMESPACE }],
      ['list', 'secrets'],
      ['create', 'pods', { namespace: 'shop' }],
      ['update', 'nodes'],
      ['patch', 'workflows', { group: 'chaosflow.dev', namespace: 'shop' }],
      ['create', 'events', { namespace: 'shop' }],
    ],
  },
  'chaosflow-agent': {
    allowed: [],
    denied: [
      ['list', 'pods'],
      ['get', 'pods', { namespace: 'shop' }],
      ['get', 'secrets', { namespace: NAMESPACE }],
      ['list', 'nodes'],
      ['get', 'workflows', { group: 'chaosflow.dev', namespace: 'shop' }],
    ],
  },
};

describeWithTools(
  ['etcd', 'kube-apiserver', 'kubectl'],
  'deploy/ (kubectl kustomize, real kube-apiserver)',
  () => {
    let kube: TestKubeApiServer;
    let rendered: string;

    const kubectl = async (args: readonly string[], stdin?: string): Promise<string> => {
      const child = run(requireTool('kubectl'), ['--kubeconfig', kube.kubeconfigFile, ...args], {
        cwd: root,
        maxBuffer: 64 * 1024 * 1024,
      });
      if (stdin !== undefined) child.child.stdin?.end(stdin);
      return (await child).stdout;
    };

    beforeAll(async () => {
      kube = await startKubeApiServer();
      rendered = await kubectl(['kustomize', 'deploy']);
    });
    afterAll(async () => {
      await kube?.stop();
    });

    it('renders every component, each with its own ServiceAccount', () => {
      const objects = parseAllDocuments(rendered).map(
        (d) => d.toJS() as { kind: string; metadata: { name: string } },
      );
      const names = (kind: string) =>
        objects
          .filter((o) => o.kind === kind)
          .map((o) => o.metadata.name)
          .sort();
      expect(names('CustomResourceDefinition')).toHaveLength(9);
      expect(names('Deployment')).toEqual(['chaosflow-controller', 'chaosflow-worker']);
      expect(names('DaemonSet')).toEqual(['chaosflow-agent']);
      expect(names('ServiceAccount')).toEqual([
        'chaosflow-agent',
        'chaosflow-controller',
        'chaosflow-worker',
      ]);
    });

    it('is accepted by the API server: a server-side dry run of every object', async () => {
      // Namespaced objects need their namespace, and nothing else in the base needs anything to exist first.
      await kubectl(['create', 'namespace', NAMESPACE]);
      const out = await kubectl(['apply', '--server-side', '--dry-run=server', '-f', '-'], rendered);
      expect(out.split('\n').filter((l) => l.includes('(server dry run)'))).toHaveLength(
        parseAllDocuments(rendered).length,
      );
    });

    it('gives each component what it needs and nothing it must not have', async () => {
      await kubectl(['apply', '--server-side', '-f', '-'], rendered);
      const authorization = kube.kubeConfig.makeApiClient(AuthorizationV1Api);
      const problems: string[] = [];
      for (const [account, { allowed, denied }] of Object.entries(EXPECTED)) {
        const user = `system:serviceaccount:${NAMESPACE}:${account}`;
        for (const [want, list] of [
          [true, allowed],
          [false, denied],
        ] as const) {
          for (const [verb, resource, options] of list) {
            const review = await authorization.createSubjectAccessReview({
              body: {
                spec: {
                  user,
                  groups: [
                    'system:serviceaccounts',
                    `system:serviceaccounts:${NAMESPACE}`,
                    'system:authenticated',
                  ],
                  resourceAttributes: { verb, resource, ...options },
                },
              },
            });
            if (review.status?.allowed !== want) {
              problems.push(
                `${account} ${want ? 'cannot' : 'can'} ${verb} ${resource} ${JSON.stringify(options ?? {})}`,
              );
            }
          }
        }
      }
      expect(problems).toEqual([]);
    });
  },
);
