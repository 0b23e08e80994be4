/**
 * A small Prometheus exporter a test runs and steers: one gauge, `chaosflow_test_value{series}`, served on
 * 127.0.0.1 with prom-client, for a real Prometheus to scrape.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Gauge, Registry } from 'prom-client';

export interface TestExporter {
  /** `127.0.0.1:<port>`, for a scrape config. */
  readonly target: string;
  set(series: string, value: number): void;
  stop(): Promise<void>;
}

export async function startTestExporter(): Promise<TestExporter> {
  const registry = new Registry();
  const gauge = new Gauge({
    name: 'chaosflow_test_value',
    help: 'A value the test sets.',
    labelNames: ['series'],
    registers: [registry],
  });
  const server = createServer((request, response) => {
    if (request.url !== '/metrics') {
      response.writeHead(404).end();
      return;
    }
    registry.metrics().then(
      (text) => response.writeHead(200, { 'content-type': registry.contentType }).end(text),
      () => response.writeHead(500).end(),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    target: `127.0.0.1:${port}`,
    set: (series, value) => gauge.set({ series }, value),
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
