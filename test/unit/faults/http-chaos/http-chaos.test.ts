/**
 * HTTPChaos. Expectations follow Chaos Mesh's `httpchaos.Impl.Apply` (the `PodHttpChaosRule` it appends:
 * target, selector with the port always set, actions as written, JSON map keys sorted as Go sorts them) and the
 * PodHttpChaos controller (one ApplyHttpChaos to the pod's first container with every rule, each port once,
 * enterNS, the previous tproxy instance; the answer's statusCode must be 200).
 */
import { describe, expect, it } from 'vitest';
import type { ApplyTargetStateInput } from '../../../../activities/contract.js';
import type { HttpRuleItem } from '../../../../common/target-state.js';
import { DaemonClientPool } from '../../../../activities/daemon/daemon-client-pool.js';
import { ActivityError } from '../../../../activities/errors.js';
import { createHTTPChaosDriver, httpRuleItem } from '../../../../activities/faults/http-chaos/http-chaos.js';
import type { TargetStateClient } from '../../../../activities/faults/per-target-state/entity-client.js';
import { createTargetStateApplier } from '../../../../activities/faults/per-target-state/apply-target-state.js';
import type { PodInfo } from '../../../../common/selection/pod-info.js';
import { batch, example, FakeDaemons, manifest, neverAborted, target } from '../fault-fixtures.js';

const web = target('web-0');

describe('HTTPChaos rules', () => {
  it('builds the rule of examples/http-abort.yaml as Chaos Mesh marshals it', async () => {
    const compiled = await example('http-abort.yaml', 'HTTPChaos');
    const item = httpRuleItem(batch(compiled, [web]));
    expect(item.port).toBe(8080);
    expect(JSON.stringify(item.rule)).toBe(
      '{"target":"Request","selector":{"port":8080,"path":"/api/*","method":"GET"},"actions":{"abort":true}}',
    );
  });

  it('sorts header and query maps and keeps patch pairs in order', () => {
    const compiled = manifest(
      `
apiVersion: chaos-mesh.org/v1alpha1
kind: HTTPChaos
metadata: { name: http, namespace: default }
spec:
  mode: all
  selector: { labelSelectors: { app: web } }
  target: Response
  port: 80
  code: 200
  response_headers: { X-Z: '1', X-A: '2' }
  delay: 1s
  replace: { code: 503, body: aGVsbG8=, headers: { b: '1', a: '2' } }
  patch: { headers: [[Set-Cookie, x], [Set-Cookie, y]], body: { type: JSON, value: '{"a":1}' } }
  duration: 30s
`,
      'HTTPChaos',
    );
    expect(JSON.stringify(httpRuleItem(batch(compiled, [web])).rule)).toBe(
      '{"target":"Response","selector":{"port":80,"code":200,"response_headers":{"X-A":"2","X-Z":"1"}},' +
        '"actions":{"delay":"1s","replace":{"code":503,"body":"aGVsbG8=","headers":{"a":"2","b":"1"}},' +
        '"patch":{"body":{"type":"JSON","value":"{\\"a\\":1}"},"headers":[["Set-Cookie","x"],["Set-Cookie","y"]]}}}',
    );
  });

  it('refuses tls, which needs a Secret chaosflow cannot read yet, without touching the pod', async () => {
    const compiled = manifest(
      `
apiVersion: chaos-mesh.org/v1alpha1
kind: HTTPChaos
metadata: { name: http, namespace: default }
spec:
  mode: all
  selector: { labelSelectors: { app: web } }
  target: Request
  port: 443
  abort: true
  tls: { secretName: certs, certName: tls.crt, keyName: tls.key }
  duration: 30s
`,
      'HTTPChaos',
    );
    const states: string[] = [];
    const fake: TargetStateClient = {
      set: () => {
        states.push('set');
        return Promise.resolve({ faults: [], applies: 0 });
      },
      remove: () => Promise.resolve(undefined),
    };
    const { results } = await createHTTPChaosDriver(fake).inject(batch(compiled, [web]), neverAborted);
    expect(results[0]).toMatchObject({ ok: false, retryable: false });
    expect(results[0]?.message).toMatch(/Secret default\/certs/);
    expect(states).toEqual([]);
  });
});

describe('HTTP state applier', () => {
  const pod: PodInfo = {
    namespace: 'default',
    name: 'web-0',
    uid: 'uid-web-0',
    labels: {},
    annotations: {},
    nodeName: 'node-1',
    phase: 'Running',
    containers: [
      { name: 'main', containerId: 'containerd://c1' },
      { name: 'side', containerId: 'containerd://c2' },
    ],
  };
  const setup = () => {
    const daemons = new FakeDaemons();
    daemons.answer = () => ({
      instance: '55',
      startTime: '9',
      statusCode: 200,
      error: '',
      instance_uid: 'tp',
    });
    const apply = createTargetStateApplier({
      pool: new DaemonClientPool(),
      source: {
        listPods: () => Promise.resolve([pod]),
        daemonFor: () => Promise.reject(new Error('unused')),
      },
      connector: daemons,
    });
    return { daemons, apply };
  };
  const input = (rules: HttpRuleItem[], daemonState?: Record<string, string>): ApplyTargetStateInput => ({
    family: 'http',
    endpoint: 'x',
    target: target('web-0'),
    lists: { rules },
    ...(daemonState ? { daemonState } : {}),
  });

  it('sends every rule to the first container with each port once, and keeps tproxy for the next call', async () => {
    const { daemons, apply } = setup();
    const r1 = { target: 'Request' };
    const r2 = { target: 'Response' };
    const result = await apply(
      input(
        [
          { port: 8080, rule: r1 },
          { port: 80, rule: r2 },
          { port: 8080, rule: r2 },
        ],
        { instance: '12', startTime: '3', uid: 'old' },
      ),
      neverAborted,
    );
    expect(daemons.calls[0]?.request).toEqual({
      rules: JSON.stringify([r1, r2, r2]),
      proxy_ports: [80, 8080],
      container_id: 'containerd://c1',
      instance: '12',
      startTime: '3',
      enterNS: true,
      instance_uid: 'old',
      tls: '',
    });
    expect(result.daemonState).toEqual({ instance: '55', startTime: '9', uid: 'tp' });
  });

  it('fails when the daemon answers a status other than 200', async () => {
    const { daemons, apply } = setup();
    daemons.answer = () => ({
      instance: '0',
      startTime: '0',
      statusCode: 400,
      error: 'bad rule',
      instance_uid: '',
    });
    const err = (await apply(input([{ port: 80, rule: {} }]), neverAborted).catch(
      (e: unknown) => e,
    )) as ActivityError;
    expect(err).toBeInstanceOf(ActivityError);
    expect(err.code).toBe('INVALID_INPUT');
    expect(err.message).toMatch(/answered status 400: bad rule/);
  });
});
