/**
 * The HTTPChaos driver. Like Chaos Mesh (`httpchaos.Impl.Apply` appending a rule to the pod's PodHttpChaos),
 * each fault contributes one rule for its port; the pod's entity sends every rule with ApplyHttpChaos
 * (`apply-http-state.ts`). The rule is the JSON object Chaos Mesh marshals (`PodHttpChaosBaseRule`):
 * `target`, `selector` {port, path, method, code, request_headers, response_headers} and `actions` {abort, delay,
 * replace, patch}, with map keys sorted as Go's encoder sorts them.
 */
import type { HttpRuleItem } from '../../../common/target-state.js';
import type { FaultBatchOf } from '../../contract.js';
import { ActivityError } from '../../errors.js';
import type { FaultDriver } from '../fault-driver.js';
import type { TargetStateClient } from '../per-target-state/entity-client.js';
import { createFragmentDriver } from '../per-target-state/fragment-driver.js';

export function httpRuleItem(batch: FaultBatchOf<'HTTPChaos'>): HttpRuleItem {
  const spec = batch.chaos.spec;
  if (spec.tls) {
    throw new ActivityError(
      'UNSUPPORTED',
      `HTTPChaos tls needs the certificate and key of Secret ${spec.tls.secretNamespace ?? batch.run.namespace}/${spec.tls.secretName}, which chaosflow cannot read yet; remove tls to intercept plain HTTP`,
    );
  }
  const port = spec.port ?? 0;
  const selector: Record<string, unknown> = { port };
  if (spec.path !== undefined) selector['path'] = spec.path;
  if (spec.method !== undefined) selector['method'] = spec.method;
  if (spec.code !== undefined) selector['code'] = spec.code;
  if (spec.request_headers && Object.keys(spec.request_headers).length > 0) {
    selector['request_headers'] = sorted(spec.request_headers);
  }
  if (spec.response_headers && Object.keys(spec.response_headers).length > 0) {
    selector['response_headers'] = sorted(spec.response_headers);
  }
  const actions: Record<string, unknown> = {};
  if (spec.abort !== undefined) actions['abort'] = spec.abort;
  if (spec.delay !== undefined) actions['delay'] = spec.delay;
  if (spec.replace) {
    const r = spec.replace;
    actions['replace'] = {
      ...(r.path !== undefined ? { path: r.path } : {}),
      ...(r.method !== undefined ? { method: r.method } : {}),
      ...(r.code !== undefined ? { code: r.code } : {}),
      ...(r.body ? { body: r.body } : {}),
      ...(r.queries && Object.keys(r.queries).length > 0 ? { queries: sorted(r.queries) } : {}),
      ...(r.headers && Object.keys(r.headers).length > 0 ? { headers: sorted(r.headers) } : {}),
    };
  }
  if (spec.patch) {
    const p = spec.patch;
    actions['patch'] = {
      ...(p.body ? { body: { type: p.body.type, value: p.body.value } } : {}),
      ...(p.queries && p.queries.length > 0 ? { queries: p.queries } : {}),
      ...(p.headers && p.headers.length > 0 ? { headers: p.headers } : {}),
    };
  }
  return { port, rule: { target: spec.target, selector, actions } };
}

function sorted(map: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(Object.entries(map).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

export function createHTTPChaosDriver(targetState: TargetStateClient): FaultDriver<'HTTPChaos'> {
  return createFragmentDriver('http', targetState, (batch) => ({ rules: [httpRuleItem(batch)] }));
}
