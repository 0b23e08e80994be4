/** The chaos kinds chaosflow runs, the ones it recognises and refuses, and how each is spelled. */

export const SUPPORTED_CHAOS_KINDS = [
  'PodChaos',
  'NetworkChaos',
  'StressChaos',
  'IOChaos',
  'TimeChaos',
  'HTTPChaos',
  'DNSChaos',
] as const;
export type ChaosKind = (typeof SUPPORTED_CHAOS_KINDS)[number];

/** Chaos Mesh kinds that chaosflow recognises but does not run. */
export const UNSUPPORTED_CHAOS_KINDS = [
  'AWSChaos',
  'AzureChaos',
  'BlockChaos',
  'GCPChaos',
  'JVMChaos',
  'KernelChaos',
  'PhysicalMachineChaos',
] as const;
export type UnsupportedChaosKind = (typeof UNSUPPORTED_CHAOS_KINDS)[number];

/** The inline key of each kind inside a Workflow template or a Schedule spec (note `physicalmachineChaos`). */
export const CHAOS_SPEC_KEY = {
  PodChaos: 'podChaos',
  NetworkChaos: 'networkChaos',
  StressChaos: 'stressChaos',
  IOChaos: 'ioChaos',
  TimeChaos: 'timeChaos',
  HTTPChaos: 'httpChaos',
  DNSChaos: 'dnsChaos',
  AWSChaos: 'awsChaos',
  AzureChaos: 'azureChaos',
  BlockChaos: 'blockChaos',
  GCPChaos: 'gcpChaos',
  JVMChaos: 'jvmChaos',
  KernelChaos: 'kernelChaos',
  PhysicalMachineChaos: 'physicalmachineChaos',
} as const satisfies Record<ChaosKind | UnsupportedChaosKind, string>;

export function isChaosKind(value: string): value is ChaosKind {
  return (SUPPORTED_CHAOS_KINDS as readonly string[]).includes(value);
}

export function isUnsupportedChaosKind(value: string): value is UnsupportedChaosKind {
  return (UNSUPPORTED_CHAOS_KINDS as readonly string[]).includes(value);
}

/**
 * One-shot actions act once and have nothing to hold or recover (Chaos Mesh: pod-kill, container-kill). In a
 * chaosflow Workflow they finish at once instead of hanging until the deadline (Chaos Mesh #3345, #4539).
 */
export function isOneShot(kind: ChaosKind, action: string | undefined): boolean {
  return kind === 'PodChaos' && (action === 'pod-kill' || action === 'container-kill');
}
