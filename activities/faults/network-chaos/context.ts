/**
 * What a NetworkChaos batch needs beyond its own targets, decided once by `resolveTargets` and recorded in
 * history (the contract's opaque `context`): the addresses of the pods the spec selected (Chaos Mesh's `.`
 * records, for the rules of the `target` peers), of the `target` peers (`.Target`, for the rules of the
 * selected pods), and the resolved `externalTargets`.
 */
import { isIPv4 } from 'node:net';
import { ActivityError } from '../../errors.js';
import type { CidrAndPortValue } from './external-targets.js';

export interface NetworkContext {
  /** `<ip>/32` of every selected pod. */
  sourceCidrs: string[];
  /** `<ip>/32` of every `target` peer. */
  targetCidrs: string[];
  externalCidrs: CidrAndPortValue[];
}

/** As JSON in `ResolveTargetsResult.context`. */
export function networkContextRecord(context: NetworkContext): Record<string, unknown> {
  return {
    sourceCidrs: context.sourceCidrs,
    targetCidrs: context.targetCidrs,
    externalCidrs: context.externalCidrs,
  };
}

/** Reads the context back, checking every value (it reaches ipsets): a bad one is INVALID_INPUT. */
export function networkContextOf(context: Readonly<Record<string, unknown>> | undefined): NetworkContext {
  const bad = (why: string) => new ActivityError('INVALID_INPUT', `NetworkChaos context: ${why}`);
  const cidrs = (name: string): string[] => {
    const value = context?.[name] ?? [];
    if (!Array.isArray(value) || !value.every((v): v is string => typeof v === 'string' && isCidr(v))) {
      throw bad(`${name} must be a list of IPv4 CIDRs`);
    }
    return value;
  };
  const external = context?.['externalCidrs'] ?? [];
  if (
    !Array.isArray(external) ||
    !external.every(
      (e: unknown): e is CidrAndPortValue =>
        typeof e === 'object' &&
        e !== null &&
        isCidr((e as CidrAndPortValue).cidr) &&
        Number.isInteger((e as CidrAndPortValue).port) &&
        (e as CidrAndPortValue).port >= 0 &&
        (e as CidrAndPortValue).port <= 65535,
    )
  ) {
    throw bad('externalCidrs must be a list of { cidr, port }');
  }
  return { sourceCidrs: cidrs('sourceCidrs'), targetCidrs: cidrs('targetCidrs'), externalCidrs: external };
}

export function isCidr(value: unknown): value is string {
  if (typeof value !== 'string') return false;
  const [address, prefix, ...rest] = value.split('/');
  return (
    rest.length === 0 &&
    address !== undefined &&
    isIPv4(address) &&
    prefix !== undefined &&
    /^\d{1,2}$/.test(prefix) &&
    Number(prefix) <= 32
  );
}

/** Chaos Mesh's `IPToCidr`: a pod address as a one-host network. */
export function ipToCidr(ip: string): string {
  return `${ip}/32`;
}
