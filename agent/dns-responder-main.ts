/**
 * Entry point of the DNSChaos responder process, which the agent starts inside the target's network namespace
 * (`netns-child.ts`). Configuration on stdin: `{ action, patterns, upstream: { host, port } }` (patterns
 * checked again here); one line on stdout once serving: `{"port": <port>}`, or `{"error": "..."}`. Exits on
 * SIGTERM.
 */
import { checkPatterns, nameMatcher } from './dns-patterns.js';
import { startDnsResponder, type DnsAction } from './dns-responder.js';

interface ResponderConfig {
  readonly action: DnsAction;
  readonly patterns: readonly string[];
  readonly upstream: { readonly host: string; readonly port: number };
}

async function main(): Promise<void> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  const config = JSON.parse(Buffer.concat(chunks).toString('utf8')) as ResponderConfig;
  const responder = await startDnsResponder({
    action: config.action,
    matches: nameMatcher(checkPatterns(config.patterns)),
    upstream: config.upstream,
  });
  process.stdout.write(`${JSON.stringify({ port: responder.port })}\n`);
  process.stdout.on('error', () => undefined);
  process.once('SIGTERM', () => {
    setTimeout(() => process.exit(0), 2_000).unref();
    void responder.close().finally(() => process.exit(0));
  });
}

main().catch((err: unknown) => {
  process.stdout.write(`${JSON.stringify({ error: err instanceof Error ? err.message : String(err) })}\n`);
  process.exit(1);
});
