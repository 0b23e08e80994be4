/**
 * The `/metrics` endpoint of a chaosflow process: the process's registry in the Prometheus text format, followed
 * by what an upstream exporter in the same process serves (the Temporal SDK's, bound to a loopback port of its
 * own), so one scrape target shows both. The two never share a metric name (`chaosflow_*`, `process_*`,
 * `nodejs_*` here; `temporal_*` upstream). When the upstream cannot be read, its part is missing and
 * `chaosflow_upstream_metrics_up` is 0.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { Gauge, type Registry } from 'prom-client';
import type { MetricsAddress } from './metrics-address.js';
import { TelemetryError } from './telemetry-error.js';

export interface MetricsServerOptions {
  address: MetricsAddress;
  registry: Registry;
  /** URL of another exporter whose text is appended to every scrape. */
  upstream?: string;
  /** How long a scrape waits for the upstream; default 2 s. */
  upstreamTimeoutMs?: number;
  logger: Logger;
}

export interface MetricsServer {
  /** `http://host:port/metrics`, with the port actually bound. */
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

export async function startMetricsServer(options: MetricsServerOptions): Promise<MetricsServer> {
  const { registry, upstream, logger } = options;
  const upstreamUp = upstream
    ? new Gauge({
        name: 'chaosflow_upstream_metrics_up',
        help: "1 when the last scrape read the in-process upstream exporter (the Temporal SDK's), else 0",
        registers: [registry],
      })
    : undefined;
  const render = async (): Promise<string> => {
    let extra = '';
    if (upstream) {
      try {
        const response = await fetch(upstream, {
          signal: AbortSignal.timeout(options.upstreamTimeoutMs ?? 2_000),
        });
        if (!response.ok) throw new Error(`HTTP ${response.status}`);
        extra = await response.text();
        upstreamUp?.set(1);
      } catch (err) {
        upstreamUp?.set(0);
        logger.warn({ err, upstream }, 'upstream metrics unreadable');
      }
    }
    const own = await registry.metrics();
    return extra ? `${own.endsWith('\n') ? own : `${own}\n`}${extra}` : own;
  };
  const handle = (request: IncomingMessage, response: ServerResponse): void => {
    const path = new URL(request.url ?? '/', 'http://metrics').pathname;
    if (path !== '/metrics' || (request.method !== 'GET' && request.method !== 'HEAD')) {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('not found: scrape /metrics\n');
      return;
    }
    render().then(
      (text) => {
        response.writeHead(200, { 'content-type': registry.contentType });
        response.end(request.method === 'HEAD' ? undefined : text);
      },
      (err: unknown) => {
        logger.error({ err }, 'metrics rendering failed');
        response.writeHead(500, { 'content-type': 'text/plain' }).end('metrics rendering failed\n');
      },
    );
  };
  const server = createServer(handle);
  const { host } = options.address;
  const where = `${host}:${options.address.port}`;
  const port = await new Promise<number>((resolve, reject) => {
    const failed = (err: Error) =>
      reject(
        new TelemetryError(
          `cannot serve metrics on ${where}: ${err.message}; give --metrics-address a free HOST:PORT of this host`,
          { address: where },
          { cause: err },
        ),
      );
    server.once('error', failed);
    server.listen(options.address.port, host, () => {
      server.off('error', failed);
      const bound = server.address();
      resolve(typeof bound === 'object' && bound ? bound.port : options.address.port);
    });
  });
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}/metrics`;
  logger.info({ url }, 'metrics served');
  let closing: Promise<void> | undefined;
  return {
    url,
    port,
    close: () =>
      (closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      })),
  };
}
