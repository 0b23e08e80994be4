/**
 * Entry point of the HTTPChaos fault proxy process, which the agent starts inside the target's network
 * namespace (`nsenter --net=<path> -- node http-fault-proxy-main.js`, argv only). It reads its configuration
 * as JSON on stdin (`{ rules, ports }`: the request's `rules` text and `proxy_ports`, checked again here),
 * listens, and writes one line to stdout: `{"listeners":[[<port>,<proxy port>],...]}`, or `{"error":"..."}`.
 * On SIGTERM it stops accepting, lets connections in flight finish (at most `graceMs`, default 10 s), and exits.
 */
import { parseHttpRules } from './http-rules.js';
import { startHttpFaultProxy } from './http-fault-proxy.js';

interface ProxyConfig {
  readonly rules: string;
  readonly ports: readonly number[];
  readonly graceMs?: number;
}

async function main(): Promise<void> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  const config = JSON.parse(Buffer.concat(chunks).toString('utf8')) as ProxyConfig;
  const proxy = await startHttpFaultProxy(parseHttpRules(config.rules, config.ports), config.ports);
  process.stdout.write(`${JSON.stringify({ listeners: [...proxy.listeners] })}\n`);
  process.stdout.on('error', () => undefined);
  process.once('SIGTERM', () => {
    setTimeout(() => process.exit(0), config.graceMs ?? 10_000).unref();
    void proxy.close().finally(() => process.exit(0));
  });
}

main().catch((err: unknown) => {
  process.stdout.write(`${JSON.stringify({ error: err instanceof Error ? err.message : String(err) })}\n`);
  process.exit(1);
});
