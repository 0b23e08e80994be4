/**
 * A direct link between two test hosts: a veth pair with one end in each network namespace and a /30 of its own
 * (from 10.202.0.0/16), so the two hosts talk to each other without routing through the root namespace. The
 * link goes away with the namespaces. Also an HTTP request made from inside a host's namespace.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import type { NetnsHost } from '../../../embedded/netns-host.js';

const run = promisify(execFile);

export interface HostLink {
  /** The address of `a` on the link. */
  aIp: string;
  bIp: string;
}

export async function linkHosts(a: NetnsHost, b: NetnsHost): Promise<HostLink> {
  const id = randomBytes(3).toString('hex');
  const x = randomBytes(1)[0] as number;
  const base = ((randomBytes(1)[0] as number) % 64) * 4;
  const aIp = `10.202.${x}.${base + 1}`;
  const bIp = `10.202.${x}.${base + 2}`;
  await run('ip', [
    'link',
    'add',
    `cfla${id}`,
    'netns',
    a.name,
    'type',
    'veth',
    'peer',
    'name',
    `cflb${id}`,
    'netns',
    b.name,
  ]);
  await a.exec(['ip', 'addr', 'add', `${aIp}/30`, 'dev', `cfla${id}`]);
  await a.exec(['ip', 'link', 'set', `cfla${id}`, 'up']);
  await b.exec(['ip', 'addr', 'add', `${bIp}/30`, 'dev', `cflb${id}`]);
  await b.exec(['ip', 'link', 'set', `cflb${id}`, 'up']);
  return { aIp, bIp };
}

/** The status code of a GET from inside `from`'s namespace, or 'timeout'. */
export async function httpFrom(from: NetnsHost, url: string, timeoutSeconds: number): Promise<string> {
  try {
    const out = await from.exec([
      'curl',
      '--silent',
      '--output',
      '/dev/null',
      '--write-out',
      '%{http_code}',
      '--max-time',
      String(timeoutSeconds),
      url,
    ]);
    return out.trim();
  } catch (err) {
    // curl exits 28 on a timeout; its --write-out still prints 000.
    if ((err as { code?: number }).code === 28) return 'timeout';
    throw err;
  }
}
