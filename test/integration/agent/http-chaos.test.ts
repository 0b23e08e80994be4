/**
 * HTTPChaos through the agent, as Chaos Mesh's PodHttpChaos controller calls a daemon (ApplyHttpChaos with the
 * target's whole rule list as JSON, the proxied ports, and an empty list to recover), against a real HTTP
 * server in a network namespace and a real client outside it: abort, delay, replace and patch are seen by the
 * client, requests that no rule matches are answered as before, a request in flight when the fault is recovered
 * still finishes, and afterwards the namespace is as before and the proxy process is gone.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { request as httpRequest } from 'node:http';
import { afterAll, afterEach, beforeAll, beforeEach, expect, it } from 'vitest';
import { isAlive } from '../../../agent/process-info.js';
import { describeWithNetns } from '../../harness/describe-with-netns.js';
import { createNetnsHost, type NetnsHost, type NetnsSnapshot } from '../../../embedded/netns-host.js';
import { startAgentFixture, type AgentFixture } from './agent-fixture.js';

const PORT = 8090;

/** Answers every request with JSON of what it received. */
const ECHO_SERVER = `
require('node:http').createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const body = JSON.stringify({ method: req.method, url: req.url, headers: req.headers, body: Buffer.concat(chunks).toString() });
    res.writeHead(200, { 'content-type': 'application/json', 'x-upstream': 'echo' });
    res.end(body);
  });
}).listen(${PORT}, '0.0.0.0', () => process.stdout.write('ready\\n'));
`;

interface Answer {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: string;
  readonly ms: number;
}

function call(
  host: NetnsHost,
  path: string,
  options: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<Answer> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: host.ip,
        port: PORT,
        path,
        method: options.method ?? 'GET',
        headers: options.headers ?? {},
        agent: false,
        timeout: 10_000,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString(),
            ms: performance.now() - started,
          }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.end(options.body);
  });
}

const echoed = (
  answer: Answer,
): { method: string; url: string; headers: Record<string, string>; body: string } =>
  JSON.parse(answer.body) as never;

describeWithNetns('chaosflow agent: HTTPChaos', () => {
  let fixture: AgentFixture;
  let host: NetnsHost;
  let server: ChildProcess;
  let before: NetnsSnapshot;
  let proxies: number[] = [];

  beforeAll(async () => {
    fixture = await startAgentFixture();
    host = await createNetnsHost({ process: 'sleep' });
    server = spawn('ip', ['netns', 'exec', host.name, process.execPath, '-e', ECHO_SERVER], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    await new Promise<void>((resolve) => server.stdout?.once('data', () => resolve()));
  });
  afterAll(async () => {
    server?.kill('SIGKILL');
    await host?.destroy();
    await fixture?.stop();
  });
  beforeEach(async () => {
    before = await host.snapshot();
    proxies = [];
  });
  afterEach(async () => {
    expect(await host.snapshot()).toEqual(before);
    for (const pid of proxies) expect(await isAlive(pid), `proxy ${pid}`).toBe(false);
  });

  const faultKey = { run: 'run-http', node: 'http', target: 'pid' };
  const apply = async (rules: readonly Record<string, unknown>[]): Promise<void> => {
    const response = await fixture.client.call(
      'ApplyHttpChaos',
      {
        container_id: host.containerId,
        rules: JSON.stringify(rules),
        proxy_ports: rules.length > 0 ? [PORT] : [],
        enterNS: true,
        tls: '',
      },
      { faultKey },
    );
    expect(response.statusCode).toBe(200);
    if (rules.length > 0) proxies.push(Number(response.instance));
  };
  const rule = (target: 'Request' | 'Response', selector: object, actions: object) => ({
    target,
    selector: { port: PORT, ...selector },
    actions,
  });

  it('aborts matching requests (the client gets no answer) and passes the others through', async () => {
    expect((await call(host, '/api/users')).status).toBe(200);
    await apply([rule('Request', { path: '/api/*', method: 'GET' }, { abort: true })]);
    expect((await host.snapshot()).iptables.split('\n').filter((l) => l.includes('CHAOSFLOW-HTTP'))).toEqual([
      ':CHAOSFLOW-HTTP - []',
      '-A PREROUTING -j CHAOSFLOW-HTTP',
      expect.stringMatching(/^-A CHAOSFLOW-HTTP -p tcp -m tcp --dport 8090 -j REDIRECT --to-ports \d+$/),
    ]);
    const aborted = await call(host, '/api/users').catch((err: Error) => err);
    const other = await call(host, '/health');
    const post = await call(host, '/api/users', { method: 'POST', body: 'x' });
    await apply([]);
    const after = await call(host, '/api/users');
    process.stderr.write(`[http abort] aborted: ${(aborted as Error).message}\n`);
    expect(aborted).toBeInstanceOf(Error);
    expect((aborted as NodeJS.ErrnoException).code).toMatch(/ECONNRESET|socket hang up/);
    expect(other.status).toBe(200);
    expect(echoed(other).url).toBe('/health');
    expect(post.status).toBe(200);
    expect(after.status).toBe(200);
  });

  it('delays requests that carry a matching header, and only those', async () => {
    const normal = await call(host, '/slow', { headers: { 'x-chaos': 'slow' } });
    await apply([rule('Request', { request_headers: { 'X-Chaos': 'slow' } }, { delay: '600ms' })]);
    const delayed = await call(host, '/slow', { headers: { 'x-chaos': 'slow' } });
    const plain = await call(host, '/slow');
    await apply([]);
    process.stderr.write(
      `[http delay 600ms] normal ${normal.ms.toFixed(0)} ms, delayed ${delayed.ms.toFixed(0)} ms, without the header ${plain.ms.toFixed(0)} ms\n`,
    );
    expect(delayed.status).toBe(200);
    expect(delayed.ms - normal.ms).toBeGreaterThan(550);
    expect(plain.ms).toBeLessThan(400);
  });

  it('replaces the code, headers and body of matching responses (selected by code and response header)', async () => {
    await apply([
      rule(
        'Response',
        { path: '/items/**', code: 200, response_headers: { 'x-upstream': 'echo' } },
        {
          replace: {
            code: 503,
            body: Buffer.from('{"error":"injected"}').toString('base64'),
            headers: { 'X-Replaced': 'yes' },
          },
        },
      ),
    ]);
    const replaced = await call(host, '/items/a/b');
    const other = await call(host, '/other');
    await apply([]);
    expect(replaced.status).toBe(503);
    expect(replaced.body).toBe('{"error":"injected"}');
    expect(replaced.headers['x-replaced']).toBe('yes');
    expect(replaced.headers['content-length']).toBe(String(replaced.body.length));
    expect(other.status).toBe(200);
    expect(echoed(other).url).toBe('/other');
  });

  it('patches requests (headers, queries, a JSON body) and responses (a JSON body, headers)', async () => {
    await apply([
      rule(
        'Request',
        { method: 'POST' },
        {
          patch: {
            headers: [['X-Patched', 'request']],
            queries: [['added', '1']],
            body: { type: 'JSON', value: '{"b":2,"drop":null}' },
          },
          replace: { path: '/rewritten' },
        },
      ),
      rule(
        'Response',
        { method: 'POST' },
        {
          patch: { body: { type: 'JSON', value: '{"patched":true}' }, headers: [['X-Patched', 'response']] },
        },
      ),
    ]);
    const answer = await call(host, '/orig?q=0', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"a":1,"drop":"me"}',
    });
    await apply([]);
    const seen = echoed(answer) as ReturnType<typeof echoed> & { patched?: boolean };
    expect(answer.status).toBe(200);
    expect(seen.patched).toBe(true);
    expect(answer.headers['x-patched']).toBe('response');
    expect(seen.method).toBe('POST');
    expect(seen.url).toBe('/rewritten?q=0&added=1');
    expect(seen.headers['x-patched']).toBe('request');
    expect(JSON.parse(seen.body)).toEqual({ a: 1, b: 2 });
  });

  it('lets a request in flight finish when the fault is recovered, then stops the proxy', async () => {
    await apply([rule('Request', { path: '/inflight' }, { delay: '1500ms' })]);
    const inflight = call(host, '/inflight');
    await new Promise((resolve) => setTimeout(resolve, 300));
    const started = performance.now();
    await apply([]);
    const recoverMs = performance.now() - started;
    const answer = await inflight;
    process.stderr.write(
      `[http in flight] recover took ${recoverMs.toFixed(0)} ms; the delayed request finished with ${answer.status} after ${answer.ms.toFixed(0)} ms\n`,
    );
    expect(answer.status).toBe(200);
    expect(answer.ms).toBeGreaterThan(1_400);
    expect((await call(host, '/inflight')).ms).toBeLessThan(400);
  });

  it('replaces the proxy when a second fault on the target adds its rule (the whole list each call), both in force', async () => {
    const delay = rule('Request', { path: '/a' }, { delay: '500ms' });
    await apply([delay]);
    const first = proxies[0] as number;
    await apply([delay, rule('Request', { path: '/b' }, { abort: true })]);
    const a = await call(host, '/a');
    const b = await call(host, '/b').catch((err: Error) => err);
    const firstAlive = await isAlive(first);
    await apply([]);
    expect(firstAlive).toBe(false);
    expect(a.ms).toBeGreaterThan(450);
    expect(b).toBeInstanceOf(Error);
  });

  it('is journaled: an agent stopped with recovery removes the redirect and stops the proxy it left', async () => {
    const own = await startAgentFixture();
    try {
      const response = await own.client.call(
        'ApplyHttpChaos',
        {
          container_id: host.containerId,
          rules: JSON.stringify([rule('Request', {}, { abort: true })]),
          proxy_ports: [PORT],
        },
        { faultKey: { run: 'run-http', node: 'journaled', target: 'pid' } },
      );
      proxies.push(Number(response.instance));
      expect(await call(host, '/').catch((err: Error) => err)).toBeInstanceOf(Error);
      const report = await own.agent.stop({ recover: true });
      expect(report?.reverted).toEqual(['run-http/journaled/pid']);
      expect((await call(host, '/')).status).toBe(200);
    } finally {
      await own.stop().catch(() => undefined);
    }
  });

  it('refuses bad rules before changing anything, naming the field', async () => {
    const error = await fixture.client
      .call('ApplyHttpChaos', {
        container_id: host.containerId,
        rules: JSON.stringify([rule('Request', {}, { delay: 'soon' })]),
        proxy_ports: [PORT],
      })
      .catch((err: unknown) => err);
    expect(error).toMatchObject({ context: { status: 'INVALID_ARGUMENT' } });
    expect((error as Error).message).toContain('rules[0].actions.delay');
  });
});
