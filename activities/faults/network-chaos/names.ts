/**
 * Chain and ipset names exactly as Chaos Mesh generates them from the chaos name (`netutils.CompressName`,
 * `iptable.GenerateName`, `ipset.GenerateIPSetName`), so a pod's iptables and ipsets look the same under
 * chaosflow as under Chaos Mesh. ipset names must stay within 31 characters and iptables chain names within
 * 28; the compression keeps the first five characters of the name and a SHA-256 prefix of the rest.
 */
import { createHash } from 'node:crypto';
import type { Chain } from '../../../proto/generated/pb/Chain.js';

type ChainDirection = Chain['direction'];

/**
 * `CompressName(name, targetLength, postfix)`: names shorter than six bytes are kept whole
 * (`<name>_<postfix>`); longer ones become `<first 5>_<sha256(rest) hex, cut to fit>_<postfix>`, exactly
 * `targetLength` bytes.
 */
export function compressName(name: string, targetLength: number, postfix: string): string {
  if (targetLength < 7 || targetLength - 7 - postfix.length < 0) {
    throw new Error(`compressName: postfix ${postfix} does not fit in ${targetLength} characters`);
  }
  const bytes = Buffer.from(name, 'utf8');
  if (bytes.length < 6) return `${name}_${postfix}`;
  const prefix = bytes.subarray(0, 5).toString('utf8');
  const hash = createHash('sha256').update(bytes.subarray(5)).digest('hex');
  return `${prefix}_${hash.slice(0, targetLength - 7 - postfix.length)}_${postfix}`;
}

/** `iptable.GenerateName`: `INPUT/<21>` or `OUTPUT/<20>`, 27 characters for names of six or more. */
export function chainName(direction: ChainDirection, chaosName: string): string {
  return direction === 'INPUT'
    ? `INPUT/${compressName(chaosName, 21, '')}`
    : `OUTPUT/${compressName(chaosName, 20, '')}`;
}

/** `ipset.GenerateIPSetName`: 27 characters for names of six or more. */
export function ipsetName(chaosName: string, postfix: string): string {
  return compressName(chaosName, 27, postfix);
}
