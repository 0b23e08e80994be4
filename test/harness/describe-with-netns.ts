/** A `describe` for tests that need network namespaces: root, iproute2, iptables, ... (see `describe-unless.ts`). */
import { describeUnless } from './describe-unless.js';
import { netnsUnavailableReason } from '../../embedded/netns-host.js';

export function describeWithNetns(title: string, body: () => void, tools?: readonly string[]): void {
  describeUnless(netnsUnavailableReason(tools), title, body);
}
