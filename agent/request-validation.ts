/**
 * Strict checks of every request value that reaches a command line. Values become separate argv elements
 * (never a shell string), and on top of that each must match a narrow pattern, so that a manifest string can
 * neither inject a shell construct nor smuggle an extra option into iptables, ipset or tc. A value that does
 * not match is answered with INVALID_ARGUMENT naming the field.
 */
import { isIPv4 } from 'node:net';
import { AgentError } from './agent-error.js';

function invalid(field: string, value: unknown, rule: string): AgentError {
  const shown = typeof value === 'string' ? JSON.stringify(value.slice(0, 80)) : String(value);
  return new AgentError('INVALID_ARGUMENT', `${field} ${shown} is not valid: ${rule}`, { field });
}

/**
 * The chain names a request may use: those Chaos Mesh generates (`INPUT/<name>`, `OUTPUT/<name>`) and
 * chaosflow's own (`CHAOSFLOW/<name>`). Any other chain (a user's, the kernel's INPUT, the agent's CHAOS-*)
 * is never touched.
 */
export const CHAIN_PREFIXES = ['INPUT/', 'OUTPUT/', 'CHAOSFLOW/'] as const;

/** iptables chain names: at most 28 characters, with one of `CHAIN_PREFIXES`. */
export function checkChainName(field: string, name: string): string {
  if (!CHAIN_PREFIXES.some((p) => name.startsWith(p) && name.length > p.length)) {
    throw invalid(
      field,
      name,
      `only chains named ${CHAIN_PREFIXES.map((p) => `${p}<name>`).join(', ')} may be set (the names Chaos Mesh ` +
        'and chaosflow generate); the agent never touches other chains',
    );
  }
  if (!/^[A-Za-z0-9][A-Za-z0-9_./-]{0,27}$/.test(name)) {
    throw invalid(field, name, 'a chain name is 1-28 of A-Z a-z 0-9 _ . / -');
  }
  return name;
}

/** ipset names: at most 31 characters. */
export function checkSetName(field: string, name: string): string {
  if (!/^[A-Za-z0-9][A-Za-z0-9_.:-]{0,30}$/.test(name)) {
    throw invalid(field, name, 'a set name is 1-31 of A-Z a-z 0-9 _ . : - (not starting with -)');
  }
  return name;
}

/** Network interface names: at most 15 characters, no slash or blank. */
export function checkDevice(field: string, name: string): string {
  if (!/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,14}$/.test(name)) {
    throw invalid(field, name, 'an interface name is 1-15 of A-Z a-z 0-9 _ . -');
  }
  return name;
}

/** An IPv4 address or IPv4 CIDR (`10.0.0.1`, `10.0.0.0/24`). */
export function checkCidr(field: string, cidr: string): string {
  const [address, prefix, ...extra] = cidr.split('/');
  const prefixOk = prefix === undefined || (/^\d{1,2}$/.test(prefix) && Number(prefix) <= 32);
  if (extra.length > 0 || address === undefined || !isIPv4(address) || !prefixOk) {
    throw invalid(
      field,
      cidr,
      'expected an IPv4 address or CIDR such as 10.0.0.0/24 (IPv6 is not supported)',
    );
  }
  return cidr;
}

export function checkPort(field: string, port: number): number {
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw invalid(field, port, 'a port is 1-65535');
  return port;
}

/** A port list as iptables takes it: `80`, `80,443`, `1000:2000` (at most 15 entries). */
export function checkPortList(field: string, ports: string): string[] {
  const parts = ports.split(',');
  const valid =
    parts.length <= 15 &&
    parts.every((part) => {
      const range = part.split(':');
      return (
        range.length <= 2 && range.every((p) => /^\d{1,5}$/.test(p) && Number(p) >= 0 && Number(p) <= 65535)
      );
    });
  if (!valid) throw invalid(field, ports, 'expected ports like 80, 80,443 or 1000:2000 (at most 15)');
  return parts;
}

const PROTOCOLS = ['tcp', 'udp', 'icmp', 'sctp', 'udplite', 'all'] as const;
export type Protocol = (typeof PROTOCOLS)[number];

export function checkProtocol(field: string, protocol: string): Protocol {
  const lower = protocol.toLowerCase();
  if (!(PROTOCOLS as readonly string[]).includes(lower)) {
    throw invalid(field, protocol, `expected one of ${PROTOCOLS.join(', ')}`);
  }
  return lower as Protocol;
}

const TCP_FLAG = '(?:SYN|ACK|FIN|RST|URG|PSH|ALL|NONE)';
const TCP_FLAG_LIST = `${TCP_FLAG}(?:,${TCP_FLAG})*`;

/** `--tcp-flags` operands: `<mask> <compared>`, e.g. `SYN,ACK SYN`. */
export function checkTcpFlags(field: string, flags: string): [string, string] {
  const match = new RegExp(`^(${TCP_FLAG_LIST}) (${TCP_FLAG_LIST})$`).exec(flags);
  if (!match?.[1] || !match[2])
    throw invalid(field, flags, 'expected "<mask> <compared>" such as "SYN,ACK SYN"');
  return [match[1], match[2]];
}

const TARGETS = ['DROP', 'ACCEPT', 'REJECT'] as const;

/** The jump target of a chain's rules; Chaos Mesh sends DROP. */
export function checkTarget(field: string, target: string): string {
  if (!(TARGETS as readonly string[]).includes(target)) {
    throw invalid(field, target, `expected one of ${TARGETS.join(', ')}`);
  }
  return target;
}

/** A tc rate: a number with an optional unit (bit kbit mbit gbit tbit bps kbps mbps gbps tbps). */
export function checkRate(field: string, rate: string): string {
  if (!/^\d+(\.\d+)?([kmgt]?(bit|bps))?$/i.test(rate)) {
    throw invalid(field, rate, 'expected a rate such as 1mbps or 800kbit');
  }
  return rate.toLowerCase();
}

/** A percentage 0-100 (netem loss, duplicate, corrupt, reorder and their correlations). */
export function checkPercent(field: string, value: number): number {
  if (!Number.isFinite(value) || value < 0 || value > 100)
    throw invalid(field, value, 'a percentage is 0-100');
  return value;
}

/** A decimal uint64 string (proto `uint64` travels as a string). */
export function checkUint64(field: string, value: string): string {
  if (!/^\d{1,20}$/.test(value)) throw invalid(field, value, 'expected a non-negative integer');
  return value;
}

/** Metadata values used as journal keys: printable ASCII, at most 512 characters. */
export function checkMetadataValue(field: string, value: string): string {
  if (!/^[\x20-\x7e]{1,512}$/.test(value)) {
    throw invalid(field, value, 'expected 1-512 printable ASCII characters');
  }
  return value;
}
