/**
 * A describe for tests that need network namespaces (root, iproute2, iptables, ...): when they cannot run
 * here the suite is still collected but skipped, with the reason in its title and on stderr, never silently.
 */
import { describe } from 'vitest';
import { netnsUnavailableReason } from './netns.js';

/** A describe that is skipped, with the reason in its title, when namespaces cannot be created. */
export function describeWithNetns(title: string, body: () => void, tools?: readonly string[]): void {
  const reason = netnsUnavailableReason(tools);
  if (reason === undefined) describe(title, body);
  else {
    process.stderr.write(`[agent integration] cannot run "${title}": ${reason}\n`);
    describe.skip(`${title} [cannot run here: ${reason}]`, body);
  }
}
