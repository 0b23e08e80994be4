/**
 * Bounds on every list and string of a request, checked before anything else looks at it, so that no request
 * can hold a target (and its lock) for long: gRPC already refuses a message over 1 MiB
 * (`MAX_REQUEST_BYTES`), and within it each list and each string has a limit by field name. A request over a
 * limit is INVALID_ARGUMENT naming the field, its size and the limit.
 *
 * | field | limit |
 * |---|---|
 * | `ipsets` (sets in one FlushIPSets), `chains`, `tcs`, `set_names`, `chains[].ipsets`, any other list | 64 |
 * | `cidrs`, `cidr_and_ports` (members of one set) | 16,384 |
 * | members of all sets of one request | 32,768 |
 * | `rules`, `actions`, `tls`, `rule` (JSON of RPCs for other daemons) | 64 KiB |
 * | any other string | 1,024 characters |
 */
import { AgentError } from './agent-error.js';

export const LIST_LIMITS: Readonly<Record<string, number>> = Object.freeze({
  cidrs: 16_384,
  cidr_and_ports: 16_384,
});
export const DEFAULT_LIST_LIMIT = 64;
export const MAX_SET_MEMBERS_PER_REQUEST = 32_768;
export const STRING_LIMITS: Readonly<Record<string, number>> = Object.freeze({
  rules: 65_536,
  actions: 65_536,
  tls: 65_536,
  rule: 65_536,
});
export const DEFAULT_STRING_LIMIT = 1_024;

function tooBig(path: string, what: string, size: number, limit: number): AgentError {
  return new AgentError(
    'INVALID_ARGUMENT',
    `${path} has ${size} ${what}; at most ${limit} are allowed in one request. Split the fault into smaller ones`,
    { field: path, size, limit },
  );
}

/** Throws INVALID_ARGUMENT when a list or string of the decoded request is over its limit. */
export function checkRequestLimits(request: unknown): void {
  let members = 0;
  const walk = (value: unknown, path: string, key: string): void => {
    if (typeof value === 'string') {
      const limit = STRING_LIMITS[key] ?? DEFAULT_STRING_LIMIT;
      if (value.length > limit) throw tooBig(path, 'characters', value.length, limit);
    } else if (Array.isArray(value)) {
      const limit = LIST_LIMITS[key] ?? DEFAULT_LIST_LIMIT;
      if (value.length > limit) throw tooBig(path, 'entries', value.length, limit);
      if (key === 'cidrs' || key === 'cidr_and_ports' || key === 'set_names') {
        members += value.length;
        if (members > MAX_SET_MEMBERS_PER_REQUEST) {
          throw tooBig('ipsets', 'members in all', members, MAX_SET_MEMBERS_PER_REQUEST);
        }
      }
      value.forEach((item, i) => walk(item, `${path}[${i}]`, key));
    } else if (value !== null && typeof value === 'object' && !Buffer.isBuffer(value)) {
      for (const [name, child] of Object.entries(value)) walk(child, path ? `${path}.${name}` : name, name);
    }
  };
  walk(request, '', '');
}
