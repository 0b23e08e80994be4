/**
 * The generated CRDs on a real kube-apiserver: they are accepted (so they are structural), every example
 * Workflow, Schedule and chaos object is stored unchanged under chaosflow.dev/v1alpha1 (strict field validation,
 * so nothing is pruned), the invalid manifests whose errors are schema-level are refused by the server's own
 * validation, the short names, printer columns and status subresource work, and a started run's spec is frozen
 * by the CRD's own rule.
 */
import { readdirSync, readFileSync } from 'node:fs';
import https from 'node:https';
import { join } from 'node:path';
import {
  ApiException,
  ApiextensionsV1Api,
  CustomObjectsApi,
  type KubernetesObject,
} from '@kubernetes/client-node';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { RESOURCE_KINDS } from '../../controller/resource-kinds.js';
import { SPEC_FROZEN_MESSAGE } from '../../scripts/gen/gen-crds.js';
import { describeWithTools } from '../harness/describe-with-tools.js';
import { startKubeApiServer, type TestKubeApiServer } from '../../embedded/kube-apiserver.js';

const root = join(import.meta.dirname, '..', '..');
const CRD_FILES = (
  parse(readFileSync(join(root, 'crds/kustomization.yaml'), 'utf8')) as { resources: string[] }
).resources.map((f) => join(root, 'crds', f));
type OwnKind = keyof typeof RESOURCE_KINDS;
const plural = (kind: OwnKind): string => RESOURCE_KINDS[kind].plural;

interface Manifest extends KubernetesObject {
  kind: OwnKind;
  metadata: { name: string; namespace?: string };
  spec: unknown;
}

function documents(file: string): unknown[] {
  return parseAllDocuments(readFileSync(file, 'utf8'))
    .map((d) => d.toJS() as unknown)
    .filter((v) => v !== null);
}

function isOwnKind(value: unknown): value is Manifest {
  const kind = (value as { kind?: unknown } | null)?.kind;
  return typeof kind === 'string' && Object.hasOwn(RESOURCE_KINDS, kind);
}

/** Example Workflows and Schedules, as written (most use Chaos Mesh's apiVersion). */
const examples = readdirSync(join(root, 'examples'))
  .filter((f) => f.endsWith('.yaml'))
  .sort()
  .flatMap((f) =>
    documents(join(root, 'examples', f))
      .filter(isOwnKind)
      .map((m) => [f, m] as const),
  );

/**
 * Invalid manifests of our kinds whose every expected error is one the schema itself finds (the semantic
 * checks, like a missing entry template or a cycle, are chaosflow's own and the server cannot know them).
 */
const schemaInvalid = readdirSync(join(root, 'test/unit/manifests/invalid'))
  .filter((f) => f.endsWith('.yaml'))
  .sort()
  .flatMap((f) => {
    const path = join(root, 'test/unit/manifests/invalid', f);
    const lines = readFileSync(path, 'utf8').split('\n');
    const expected = (lines[0] ?? '').replace('# expect: ', '').split(', ');
    const schemaOnly = expected.every((e) => e.startsWith('SCHEMA_') || e.startsWith('KIND_UNSUPPORTED'));
    // Only those are read here: the others include hostile YAML (alias bombs) that only chaosflow's loader bounds.
    if (!schemaOnly) return [];
    const docs = documents(path);
    // The server validates the spec against the CRD; apiVersion and metadata are its own business.
    const specLine = lines.findIndex((l) => l.startsWith('spec:')) + 1;
    const inSpec = expected.every((e) => Number(/ (\d+):\d+$/.exec(e)?.[1] ?? 0) > specLine);
    return docs.length === 1 && isOwnKind(docs[0]) && schemaOnly && inSpec ? [[f, docs[0]] as const] : [];
  });

function asChaosflow(manifest: Manifest, namespace: string): Manifest {
  return {
    ...structuredClone(manifest),
    apiVersion: 'chaosflow.dev/v1alpha1',
    metadata: { ...manifest.metadata, namespace },
  };
}

describeWithTools(['etcd', 'kube-apiserver'], 'chaosflow CRDs on a real kube-apiserver', () => {
  let kube: TestKubeApiServer;
  let api: CustomObjectsApi;
  let namespace: string;

  beforeAll(async () => {
    kube = await startKubeApiServer();
    const started = Date.now();
    await kube.applyCrds(CRD_FILES);
    console.info(
      `kube-apiserver ready in ${kube.startupMs} ms; CRDs established in ${Date.now() - started} ms`,
    );
    api = kube.kubeConfig.makeApiClient(CustomObjectsApi);
    namespace = await kube.freshNamespace('crds');
  });
  afterAll(async () => {
    await kube?.stop();
  });

  test('there are examples of every kind and schema-invalid cases to check', () => {
    expect(CRD_FILES).toHaveLength(Object.keys(RESOURCE_KINDS).length);
    expect(new Set(examples.map(([, m]) => m.kind))).toEqual(new Set(Object.keys(RESOURCE_KINDS)));
    expect(schemaInvalid.length).toBeGreaterThanOrEqual(10);
  });

  test.each(examples)('accepts and stores %s unchanged', async (_file, manifest) => {
    const body = asChaosflow(manifest, namespace);
    const common = { group: 'chaosflow.dev', version: 'v1alpha1', namespace, plural: plural(manifest.kind) };
    await api.createNamespacedCustomObject({ ...common, body, fieldValidation: 'Strict' });
    const stored = (await api.getNamespacedCustomObject({
      ...common,
      name: manifest.metadata.name,
    })) as Manifest;
    expect(stored.spec).toEqual(manifest.spec);
  });

  test.each(schemaInvalid)('refuses %s with its own validation', async (_file, manifest) => {
    const body = asChaosflow(manifest, namespace);
    const error = await api
      .createNamespacedCustomObject({
        group: 'chaosflow.dev',
        version: 'v1alpha1',
        namespace,
        plural: plural(manifest.kind),
        body,
        fieldValidation: 'Strict',
      })
      .then(
        () => undefined,
        (err: unknown) => err,
      );
    expect(error).toBeInstanceOf(ApiException);
    const e = error as ApiException<unknown>;
    // 422 Invalid for schema violations; 400 BadRequest for unknown fields under strict field validation.
    expect([400, 422]).toContain(e.code);
    const status = JSON.parse(String(e.body)) as { message: string };
    expect(status.message).toMatch(/spec|unknown field/);
  });

  test('keeps the x-kubernetes-preserve-unknown-fields of the generated schemas', async () => {
    const crd = await kube.kubeConfig
      .makeApiClient(ApiextensionsV1Api)
      .readCustomResourceDefinition({ name: 'workflows.chaosflow.dev' });
    const schema = crd.spec.versions[0]?.schema?.openAPIV3Schema;
    expect(schema?.properties?.status?.x_kubernetes_preserve_unknown_fields).toBe(true);
  });

  test('stores embedded Kubernetes objects (task container fields, volumes) as written', async () => {
    const common = { group: 'chaosflow.dev', version: 'v1alpha1', namespace, plural: 'workflows' };
    const spec = {
      entry: 'run',
      templates: [
        {
          name: 'run',
          templateType: 'Task',
          deadline: '1m',
          task: {
            container: {
              name: 'c',
              image: 'busybox',
              resources: { limits: { cpu: '100m' } },
              volumeMounts: [{ name: 'data', mountPath: '/data' }],
              env: [{ name: 'A', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } }],
            },
            volumes: [{ name: 'data', emptyDir: {} }],
          },
        },
      ],
    };
    const body: Manifest = {
      apiVersion: 'chaosflow.dev/v1alpha1',
      kind: 'Workflow',
      metadata: { name: 'embedded' },
      spec,
    };
    await api.createNamespacedCustomObject({ ...common, body, fieldValidation: 'Strict' });
    const stored = (await api.getNamespacedCustomObject({ ...common, name: 'embedded' })) as Manifest;
    expect(stored.spec).toEqual(spec);
  });

  test('serves the short names and the chaosflow category', async () => {
    const resources = await getJson<{
      resources: { name: string; shortNames?: string[]; categories?: string[] }[];
    }>('/apis/chaosflow.dev/v1alpha1');
    const byName = new Map(resources.resources.map((r) => [r.name, r]));
    expect(byName.get('workflows')).toMatchObject({ shortNames: ['cfwf'], categories: ['chaosflow'] });
    for (const { plural: name, shortName } of Object.values(RESOURCE_KINDS)) {
      expect(byName.get(name)).toMatchObject({ shortNames: [shortName], categories: ['chaosflow'] });
    }
  });

  test('refuses a spec change once the run has started, with a message that says what to do', async () => {
    const common = { group: 'chaosflow.dev', version: 'v1alpha1', namespace, plural: 'podchaos' };
    const body: Manifest = {
      apiVersion: 'chaosflow.dev/v1alpha1',
      kind: 'PodChaos',
      metadata: { name: 'frozen', namespace },
      spec: { action: 'pod-kill', mode: 'one', selector: { labelSelectors: { app: 'web' } } },
    };
    const created = (await api.createNamespacedCustomObject({ ...common, body })) as Manifest;
    // Before the controller started a run, the spec may still be mended.
    const mended = (await api.replaceNamespacedCustomObject({
      ...common,
      name: 'frozen',
      body: { ...created, spec: { ...(created.spec as object), mode: 'all' } },
    })) as Manifest;
    const started = (await api.replaceNamespacedCustomObjectStatus({
      ...common,
      name: 'frozen',
      body: { ...mended, status: { runId: 'chaosflow/run-1', phase: 'Running' } },
    })) as Manifest;
    const error = await api
      .replaceNamespacedCustomObject({
        ...common,
        name: 'frozen',
        body: { ...started, spec: { ...(started.spec as object), mode: 'one' } },
      })
      .then(
        () => undefined,
        (err: unknown) => err as ApiException<unknown>,
      );
    expect(error?.code).toBe(422);
    expect(String(error?.body)).toContain(SPEC_FROZEN_MESSAGE);
    // Metadata (annotations: pause, abort, approve) still changes.
    await api.replaceNamespacedCustomObject({
      ...common,
      name: 'frozen',
      body: { ...started, metadata: { ...started.metadata, annotations: { 'chaosflow.dev/pause': 'true' } } },
    });
  });

  test('writes status through the status subresource and prints it in the Phase column', async () => {
    const common = { group: 'chaosflow.dev', version: 'v1alpha1', namespace, plural: 'workflows' };
    const body: Manifest = {
      apiVersion: 'chaosflow.dev/v1alpha1',
      kind: 'Workflow',
      metadata: { name: 'with-status', namespace },
      spec: { entry: 'wait', templates: [{ name: 'wait', templateType: 'Suspend', deadline: '1s' }] },
    };
    const created = (await api.createNamespacedCustomObject({ ...common, body })) as Manifest;
    expect(created).not.toHaveProperty('status');
    // Status sent with the main resource is ignored: that is what the subresource is for.
    const status = { phase: 'Running', nodes: { wait: { phase: 'Running' } } };
    await api.replaceNamespacedCustomObjectStatus({
      ...common,
      name: 'with-status',
      body: { ...created, status },
    });
    const stored = (await api.getNamespacedCustomObject({ ...common, name: 'with-status' })) as Manifest & {
      status?: unknown;
    };
    expect(stored.status).toEqual(status);

    const table = await getJson<{ columnDefinitions: { name: string }[]; rows: { cells: unknown[] }[] }>(
      `/apis/chaosflow.dev/v1alpha1/namespaces/${namespace}/workflows/with-status`,
      'application/json;as=Table;v=v1;g=meta.k8s.io',
    );
    expect(table.columnDefinitions.map((c) => c.name)).toEqual([
      'Name',
      'Phase',
      'Progress',
      'Faults',
      'Age',
    ]);
    expect(table.rows[0]?.cells.slice(0, 2)).toEqual(['with-status', 'Running']);
  });

  /** A raw GET trusting the apiserver's own certificate (the generated clients cannot ask for a Table). */
  function getJson<T>(path: string, accept = 'application/json'): Promise<T> {
    return new Promise((resolve, reject) => {
      const url = new URL(path, kube.server);
      const request = https.get(
        url,
        { ca: readFileSync(kube.caFile), headers: { authorization: `Bearer ${kube.token}`, accept } },
        (response) => {
          let text = '';
          response.setEncoding('utf8');
          response.on('data', (chunk: string) => (text += chunk));
          response.on('end', () => {
            if (response.statusCode !== 200)
              reject(new Error(`GET ${path}: HTTP ${response.statusCode}: ${text}`));
            else resolve(JSON.parse(text) as T);
          });
        },
      );
      request.on('error', reject);
    });
  }
});
