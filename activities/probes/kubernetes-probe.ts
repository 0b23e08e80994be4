/**
 * A Kubernetes probe: a resource of the worker's cluster present, absent, or with a field that satisfies the
 * criteria on every object found (by name, by label selector, or every object of the namespace). Reads with the
 * worker's KubeConfig; a cluster that cannot be asked fails the probe, saying why.
 */
import { request, type RequestOptions } from 'node:https';
import type { KubeConfig } from '@kubernetes/client-node';
import { JSONPath } from 'jsonpath-plus';
import { errorMessage } from '../../common/errors/chaosflow-error.js';
import type { PlanKubernetesProbe } from '../../common/plan.js';
import type { ProbeRecord } from '../../common/run-status.js';
import { asText, checkValue } from './value-criteria.js';
import { startProbeRecord } from './probe-record.js';

export async function kubernetesProbe(
  probe: PlanKubernetesProbe,
  kubeConfig: KubeConfig | undefined,
  defaultNamespace: string,
  timeoutSeconds: number,
): Promise<ProbeRecord> {
  const record = startProbeRecord();
  if (!kubeConfig) return record(false, 'no cluster: give the worker --kubeconfig (or run it in a pod)');
  let objects: unknown[];
  try {
    objects = await read(kubeConfig, probe, defaultNamespace, timeoutSeconds);
  } catch (err) {
    return record(false, errorMessage(err));
  }
  const what = `${objects.length} ${probe.resource}`;
  switch (probe.expect) {
    case 'present':
      return record(
        objects.length > 0,
        objects.length > 0 ? `${what} found` : `no ${probe.resource} found`,
        String(objects.length),
      );
    case 'absent':
      return record(
        objects.length === 0,
        objects.length === 0 ? `no ${probe.resource} found` : `${what} found`,
        String(objects.length),
      );
    case 'field': {
      const field = probe.field;
      if (!field) return record(false, 'expect: field without field');
      if (objects.length === 0) return record(false, `no ${probe.resource} found`);
      const values: string[] = [];
      for (const object of objects) {
        const found = JSONPath<unknown[]>({ path: field.path, json: object as object, wrap: true });
        const value = found.length === 0 ? '' : asText(found[0]);
        values.push(value);
        const verdict = checkValue(value, field);
        if (!verdict.ok) return record(false, `${field.path}: ${verdict.why}`, values.join(','));
      }
      return record(true, `${field.path} holds on ${what}`, values.join(','));
    }
  }
}

/** The objects the probe looks at: the named one (none when it does not exist), or a list. */
async function read(
  kubeConfig: KubeConfig,
  probe: PlanKubernetesProbe,
  defaultNamespace: string,
  timeoutSeconds: number,
): Promise<unknown[]> {
  const cluster = kubeConfig.getCurrentCluster();
  if (!cluster) throw new Error('the kubeconfig has no current cluster');
  const namespace = probe.namespace ?? defaultNamespace;
  const base = probe.group === '' ? `/api/${probe.version}` : `/apis/${probe.group}/${probe.version}`;
  const path =
    `${base}/namespaces/${encodeURIComponent(namespace)}/${encodeURIComponent(probe.resource)}` +
    (probe.name
      ? `/${encodeURIComponent(probe.name)}`
      : probe.labelSelector
        ? `?labelSelector=${encodeURIComponent(probe.labelSelector)}`
        : '');
  const url = new URL(path, cluster.server);
  const options: RequestOptions = {
    method: 'GET',
    timeout: timeoutSeconds * 1000,
    headers: {},
  };
  await kubeConfig.applyToHTTPSOptions(options);
  const { status, body } = await new Promise<{ status: number; body: string }>((resolve, reject) => {
    const req = request(url, options, (response) => {
      let text = '';
      response.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body: text }));
    });
    req.on('timeout', () => req.destroy(new Error(`the API server did not answer in ${timeoutSeconds}s`)));
    req.on('error', reject);
    req.end();
  });
  if (status === 404 && probe.name) return [];
  if (status !== 200) throw new Error(`GET ${path}: HTTP ${status} ${body.slice(0, 200)}`);
  const parsed = JSON.parse(body) as { items?: unknown[] };
  return probe.name ? [parsed] : (parsed.items ?? []);
}
