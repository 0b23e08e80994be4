/**
 * Creates CustomResourceDefinitions from YAML files (several documents per file allowed; other kinds are
 * ignored) and waits until the API server serves them: `NamesAccepted` and `Established` both True.
 */
import { readFile } from 'node:fs/promises';
import {
  ApiException,
  ApiextensionsV1Api,
  loadAllYaml,
  type KubeConfig,
  type V1CustomResourceDefinition,
} from '@kubernetes/client-node';

export async function applyCrdFiles(
  kubeConfig: KubeConfig,
  files: readonly string[],
  timeoutMs = 30_000,
): Promise<V1CustomResourceDefinition[]> {
  const api = kubeConfig.makeApiClient(ApiextensionsV1Api);
  const crds = (await Promise.all(files.map(readCrds))).flat();
  for (const crd of crds) await createOrReplace(api, crd);
  return Promise.all(crds.map((crd) => waitEstablished(api, crdName(crd), timeoutMs)));
}

/**
 * Through client-node's `loadAllYaml`, which maps JSON keys such as `x-kubernetes-preserve-unknown-fields` to the
 * typed client's attribute names; a plain YAML parse would have the client's serializer drop them.
 */
async function readCrds(file: string): Promise<V1CustomResourceDefinition[]> {
  const crds = (loadAllYaml(await readFile(file, 'utf8')) as unknown[]).filter(isCrd);
  if (crds.length === 0) throw new Error(`${file} holds no CustomResourceDefinition`);
  return crds;
}

function isCrd(value: unknown): value is V1CustomResourceDefinition {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as { kind?: unknown }).kind === 'CustomResourceDefinition'
  );
}

function crdName(crd: V1CustomResourceDefinition): string {
  const name = crd.metadata?.name;
  if (!name) throw new Error(`a CustomResourceDefinition has no metadata.name (kind ${crd.spec.names.kind})`);
  return name;
}

/** Applying the same files twice (for example from two test files sharing a server) replaces the CRD. */
async function createOrReplace(api: ApiextensionsV1Api, crd: V1CustomResourceDefinition): Promise<void> {
  try {
    await api.createCustomResourceDefinition({ body: crd });
  } catch (err) {
    if (!(err instanceof ApiException) || err.code !== 409) throw describeApiError(err, crdName(crd));
    const name = crdName(crd);
    const current = await api.readCustomResourceDefinition({ name });
    const body = {
      ...crd,
      metadata: { ...crd.metadata, resourceVersion: current.metadata?.resourceVersion },
    };
    await api.replaceCustomResourceDefinition({ name, body });
  }
}

async function waitEstablished(
  api: ApiextensionsV1Api,
  name: string,
  timeoutMs: number,
): Promise<V1CustomResourceDefinition> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const crd = await api.readCustomResourceDefinition({ name });
    const conditions = crd.status?.conditions ?? [];
    const isTrue = (type: string): boolean => conditions.some((c) => c.type === type && c.status === 'True');
    if (isTrue('NamesAccepted') && isTrue('Established')) return crd;
    if (Date.now() > deadline) {
      throw new Error(
        `CRD ${name} was not established within ${timeoutMs} ms; conditions: ${JSON.stringify(conditions)}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function describeApiError(err: unknown, name: string): Error {
  if (!(err instanceof ApiException)) return err instanceof Error ? err : new Error(String(err));
  const body = typeof err.body === 'string' ? err.body : JSON.stringify(err.body);
  return new Error(`creating CRD ${name} failed with HTTP ${err.code}: ${body}`, { cause: err });
}
