/**
 * NetworkChaos `externalTargets` to CIDRs, as Chaos Mesh's controller does it (`netutils.ResolveCidrs`): each
 * entry is an IP, a CIDR or a domain, optionally `host:port`; an IP becomes `/32`, a CIDR its network
 * (`10.0.0.5/24` -> `10.0.0.0/24`), a domain every IPv4 address it resolves to (with the same port). Only
 * IPv4: the daemons' ipsets are IPv4 (`hash:net` without `family inet6`). This runs once, in the
 * `resolveTargets` activity, so every batch and the recovery use the same addresses.
 */
import { errorMessage } from '../../../common/errors/chaosflow-error.js';
import { lookup as dnsLookup } from 'node:dns/promises';
import { isIPv4, isIPv6 } from 'node:net';
import { ActivityError } from '../../errors.js';

export interface CidrAndPortValue {
  cidr: string;
  /** 0 when the entry had no port. */
  port: number;
}

/** IPv4 addresses of a host name (the worker's resolver; tests pass their own). */
export type LookupIPv4 = (host: string) => Promise<string[]>;

export const systemLookupIPv4: LookupIPv4 = async (host) =>
  (await dnsLookup(host, { all: true, family: 4 })).map((a) => a.address);

const HOSTNAME =
  /^(?=.{1,253}\.?$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\.?$/;

export async function resolveExternalTargets(
  names: readonly string[],
  lookup: LookupIPv4 = systemLookupIPv4,
): Promise<CidrAndPortValue[]> {
  const out: CidrAndPortValue[] = [];
  for (const [i, name] of names.entries())
    out.push(...(await resolveOne(name, `externalTargets[${i}]`, lookup)));
  return out;
}

async function resolveOne(name: string, where: string, lookup: LookupIPv4): Promise<CidrAndPortValue[]> {
  const bad = (why: string) =>
    new ActivityError('INVALID_INPUT', `${where} ${JSON.stringify(name.slice(0, 100))}: ${why}`);
  const { host, port } = splitHostPort(name, bad);
  if (host.includes('/')) return [{ cidr: networkOf(host, bad), port }];
  if (isIPv4(host)) return [{ cidr: `${host}/32`, port }];
  if (isIPv6(host)) throw bad('IPv6 is not supported (the daemons build IPv4 ipsets); use an IPv4 address.');
  if (!HOSTNAME.test(host)) throw bad('is neither an IPv4 address, a CIDR nor a host name.');
  let addresses: string[];
  try {
    addresses = await lookup(host);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const permanent = code === 'ENOTFOUND' || code === 'ENODATA';
    throw new ActivityError(
      permanent ? 'INVALID_INPUT' : 'UNAVAILABLE',
      `${where}: cannot resolve ${host} to an IPv4 address (${code ?? errorMessage(err)}); check the name or use an IP.`,
      { cause: err },
    );
  }
  return addresses.filter((a) => isIPv4(a)).map((a) => ({ cidr: `${a}/32`, port }));
}

/** Go's `net.SplitHostPort`: `host:port` or `[v6]:port`; anything else is a bare host. */
function splitHostPort(name: string, bad: (why: string) => Error): { host: string; port: number } {
  const match = /^(?:\[([^\]]*)\]|([^:[\]]*)):([^:]*)$/.exec(name);
  if (!match) return { host: name, port: 0 };
  const portText = match[3] ?? '';
  if (!/^\d{1,5}$/.test(portText) || Number(portText) > 65535) {
    throw bad(`port ${JSON.stringify(portText)} is not a number 0-65535.`);
  }
  return { host: match[1] ?? match[2] ?? '', port: Number(portText) };
}

/** The network of an IPv4 CIDR, as Go's `ipnet.String()` prints it. */
function networkOf(cidr: string, bad: (why: string) => Error): string {
  const [address = '', prefixText = '', ...rest] = cidr.split('/');
  const prefix = Number(prefixText);
  if (rest.length > 0 || !/^\d{1,2}$/.test(prefixText) || prefix > 32) throw bad('is not a valid CIDR.');
  if (isIPv6(address)) throw bad('IPv6 is not supported (the daemons build IPv4 ipsets).');
  if (!isIPv4(address)) throw bad('is not a valid CIDR.');
  const value = address.split('.').reduce((acc, octet) => acc * 256 + Number(octet), 0);
  const size = 2 ** (32 - prefix);
  const network = value - (value % size);
  const octets = [24, 16, 8, 0].map((shift) => Math.floor(network / 2 ** shift) % 256);
  return `${octets.join('.')}/${prefix}`;
}
