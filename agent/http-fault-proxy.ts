/**
 * The HTTPChaos fault proxy: one HTTP listener per intercepted port (on 0.0.0.0, a free port), forwarding with
 * http-proxy-3 to the address the client dialled (the connection's local address, where the agent's REDIRECT
 * delivered it) on the original port, and applying the rules of `http-rules.ts` on the way: Request rules
 * before forwarding (the request body is read only when a rule replaces or patches it), Response rules on the
 * upstream's answer (its body is read only when a matching rule changes it). `abort` closes the client's
 * connection without an answer, as Chaos Mesh's tproxy does.
 *
 * It runs inside the target's network namespace as a child process of the agent (`http-fault-proxy-main.ts`);
 * `close` stops accepting and lets connections in flight finish.
 */
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { createProxyServer } from 'http-proxy-3';
import {
  matchesRequest,
  matchesResponse,
  patchJsonBody,
  rewriteHeaders,
  rewriteUrl,
  type HttpRule,
  type RequestView,
} from './http-rules.js';

export interface HttpFaultProxy {
  /** Intercepted port → the port the proxy listens on for it. */
  readonly listeners: ReadonlyMap<number, number>;
  close(): Promise<void>;
}

async function readBody(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function viewOf(port: number, req: IncomingMessage): RequestView {
  return {
    port,
    method: req.method ?? 'GET',
    path: new URL(req.url ?? '/', 'http://target').pathname,
    headers: req.headers,
  };
}

/** Hop-by-hop and length headers that no longer hold once a body is rewritten. */
function withBodyLength(
  headers: Record<string, string | string[]>,
  length: number,
): Record<string, string | string[]> {
  const out = { ...headers };
  delete out['transfer-encoding'];
  delete out['content-encoding'];
  out['content-length'] = String(length);
  return out;
}

export async function startHttpFaultProxy(
  rules: readonly HttpRule[],
  ports: readonly number[],
): Promise<HttpFaultProxy> {
  const proxy = createProxyServer({ selfHandleResponse: true, xfwd: false });
  const views = new WeakMap<IncomingMessage, RequestView>();

  proxy.on('proxyRes', (upstream, req, res) => {
    void (async () => {
      const view = views.get(req) as RequestView;
      const response = { code: upstream.statusCode ?? 502, headers: upstream.headers };
      const matching = rules.filter((r) => r.target === 'Response' && matchesResponse(r, view, response));
      if (matching.length === 0) {
        res.writeHead(response.code, upstream.statusMessage, upstream.headers);
        upstream.pipe(res);
        return;
      }
      let code = response.code;
      let headers = rewriteHeaders(upstream.headers, undefined, undefined);
      let body: Buffer | undefined;
      for (const rule of matching) {
        if (rule.delayMs > 0) await sleep(rule.delayMs);
        if (rule.abort) {
          upstream.destroy();
          req.socket.destroy();
          return;
        }
        if (rule.replace?.code !== undefined) code = rule.replace.code;
        headers = rewriteHeaders(headers, rule.replace, rule.patch);
        if (rule.replace?.body !== undefined) body = rule.replace.body;
        if (rule.patch?.jsonBody !== undefined) {
          body = patchJsonBody(body ?? (await readBody(upstream)), rule.patch.jsonBody);
        }
      }
      if (body === undefined) {
        res.writeHead(code, headers);
        upstream.pipe(res);
        return;
      }
      upstream.resume();
      res.writeHead(code, withBodyLength(headers, body.length));
      res.end(body);
    })().catch(() => req.socket.destroy());
  });
  proxy.on('error', (_err, _req, res) => {
    if ('writeHead' in res && !res.headersSent) {
      res.writeHead(502, { 'content-type': 'text/plain' });
      res.end('chaosflow fault proxy: the upstream did not answer\n');
    } else res.destroy();
  });

  const handle = async (port: number, req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const view = viewOf(port, req);
    views.set(req, view);
    let body: Buffer | undefined;
    for (const rule of rules) {
      if (rule.target !== 'Request' || !matchesRequest(rule, view)) continue;
      if (rule.delayMs > 0) await sleep(rule.delayMs);
      if (rule.abort) {
        req.socket.destroy();
        return;
      }
      if (rule.replace?.method) req.method = rule.replace.method;
      req.url = rewriteUrl(req.url ?? '/', rule.replace, rule.patch);
      req.headers = rewriteHeaders(req.headers, rule.replace, rule.patch);
      if (rule.replace?.body !== undefined) {
        if (body === undefined) req.resume();
        body = rule.replace.body;
      }
      if (rule.patch?.jsonBody !== undefined)
        body = patchJsonBody(body ?? (await readBody(req)), rule.patch.jsonBody);
    }
    if (body !== undefined)
      req.headers = withBodyLength(req.headers as Record<string, string | string[]>, body.length);
    const local = req.socket.localAddress?.replace(/^::ffff:/, '') ?? '127.0.0.1';
    proxy.web(req, res, {
      target: { host: local, port },
      ...(body !== undefined ? { buffer: Readable.from([body]) } : {}),
    });
  };

  const servers: Server[] = [];
  const listeners = new Map<number, number>();
  try {
    for (const port of ports) {
      const server = createServer((req, res) => {
        handle(port, req, res).catch(() => req.socket.destroy());
      });
      server.listen(0, '0.0.0.0');
      await once(server, 'listening');
      servers.push(server);
      listeners.set(port, (server.address() as AddressInfo).port);
    }
  } catch (err) {
    for (const server of servers) server.close();
    throw err;
  }
  return {
    listeners,
    close: () =>
      Promise.all(servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve())))).then(() =>
        proxy.close(),
      ),
  };
}
