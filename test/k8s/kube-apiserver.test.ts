import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import https from 'node:https';
import { join } from 'node:path';
import {
  ApiException,
  CoreV1Api,
  CustomObjectsApi,
  VersionApi,
  type KubernetesObject,
} from '@kubernetes/client-node';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { describeWithTools } from '../harness/describe-with-tools.js';
import { startKubeApiServer, type TestKubeApiServer } from '../../embedded/kube-apiserver.js';

// A CRD that exists only for this test: `spec.replicas` must be an integer between 1 and 5.
const WIDGET_CRD = `
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: widgets.harness.chaosflow.dev
spec:
  group: harness.chaosflow.dev
  scope: Namespaced
  names: { plural: widgets, singular: widget, kind: Widget }
  versions:
    - name: v1
      served: true
      storage: true
      schema:
        openAPIV3Schema:
          type: object
          properties:
            spec:
              type: object
              required: [replicas]
              properties:
                replicas: { type: integer, minimum: 1, maximum: 5 }
`;
const WIDGETS = { group: 'harness.chaosflow.dev', version: 'v1', plural: 'widgets' } as const;

describeWithTools(['etcd', 'kube-apiserver'], 'test kube-apiserver harness', () => {
  let kube: TestKubeApiServer;

  beforeAll(async () => {
    kube = await startKubeApiServer();
    console.info(`kube-apiserver + etcd ready in ${kube.startupMs} ms`);
  });
  afterAll(async () => {
    await kube?.stop();
  });

  test('answers with the Kubernetes version the installer built', async () => {
    const version = await kube.kubeConfig.makeApiClient(VersionApi).getCode();
    expect(version.gitVersion).toMatch(/^v1\.\d+\.\d+$/);
    expect(kube.server).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
  });

  test('serves a certificate the CA file verifies and forbids requests without the token', async () => {
    const { status, body } = await new Promise<{ status?: number; body: string }>((resolve, reject) => {
      const request = https.get(
        `${kube.server}/api/v1/namespaces`,
        { ca: readFileSync(kube.caFile) },
        (res) => {
          let body = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => (body += chunk));
          res.on('end', () => resolve({ status: res.statusCode, body }));
        },
      );
      request.on('error', reject);
    });
    expect(status).toBe(403);
    expect(body).toContain('system:anonymous');
  });

  test('creates a namespace and a pod and reads them back', async () => {
    const core = kube.kubeConfig.makeApiClient(CoreV1Api);
    const namespace = await kube.freshNamespace('harness');
    expect((await core.readNamespace({ name: namespace })).metadata?.name).toBe(namespace);

    await core.createNamespacedPod({
      namespace,
      body: {
        metadata: { name: 'web', labels: { app: 'web' } },
        spec: { containers: [{ name: 'web', image: 'nginx:1.27' }] },
      },
    });
    const pod = await core.readNamespacedPod({ name: 'web', namespace });
    expect(pod.metadata?.labels).toEqual({ app: 'web' });
    expect(pod.spec?.containers[0]?.image).toBe('nginx:1.27');
    // No scheduler or kubelet: the pod stays Pending.
    expect(pod.status?.phase).toBe('Pending');
    const listed = await core.listNamespacedPod({ namespace, labelSelector: 'app=web' });
    expect(listed.items.map((p) => p.metadata?.name)).toEqual(['web']);
  });

  test('establishes a CRD, accepts a valid custom object and rejects an invalid one with 422', async () => {
    const file = join(kube.dir, 'widget-crd.yaml');
    await writeFile(file, WIDGET_CRD);
    const [crd] = await kube.applyCrds([file]);
    expect(crd?.status?.conditions?.find((c) => c.type === 'Established')?.status).toBe('True');

    const custom = kube.kubeConfig.makeApiClient(CustomObjectsApi);
    const namespace = await kube.freshNamespace('crd');
    const widget = (name: string, replicas: unknown): KubernetesObject & { spec: unknown } => ({
      apiVersion: 'harness.chaosflow.dev/v1',
      kind: 'Widget',
      metadata: { name },
      spec: { replicas },
    });

    await custom.createNamespacedCustomObject({ ...WIDGETS, namespace, body: widget('good', 3) });
    const read = (await custom.getNamespacedCustomObject({ ...WIDGETS, namespace, name: 'good' })) as {
      spec: { replicas: number };
    };
    expect(read.spec.replicas).toBe(3);

    const rejected: unknown = await custom
      .createNamespacedCustomObject({ ...WIDGETS, namespace, body: widget('bad', 9) })
      .then(
        () => undefined,
        (err: unknown) => err,
      );
    expect(rejected).toBeInstanceOf(ApiException);
    const apiError = rejected as ApiException<unknown>;
    expect(apiError.code).toBe(422);
    expect(String(apiError.body)).toContain('spec.replicas');

    // Re-applying the same file is harmless (two test files may share CRDs).
    await expect(kube.applyCrds([file])).resolves.toHaveLength(1);
  });
});
