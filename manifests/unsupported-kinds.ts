/**
 * Kinds of Chaos Mesh's API group (`chaos-mesh.org`) that chaosflow does not run as top-level objects, each
 * with what to do instead. Any other `chaos-mesh.org` kind gets the general hint. The chaos kinds among them
 * can also appear inside a Workflow or a Schedule (`templateType`, `type`, `awsChaos: ...`).
 */
import {
  SUPPORTED_CHAOS_KINDS,
  UNSUPPORTED_CHAOS_KINDS,
  type UnsupportedChaosKind,
} from '../common/chaos-kinds.js';

const SUPPORTED_LIST = `${SUPPORTED_CHAOS_KINDS.slice(0, -1).join(', ')} and ${SUPPORTED_CHAOS_KINDS.at(-1)}`;

const elsewhere = (what: string): string =>
  `${what}: remove this part, or run it with Chaos Mesh (chaosflow runs Workflow, Schedule, ${SUPPORTED_LIST})`;

const CHAOS_KIND_HINTS = {
  AWSChaos: elsewhere('chaosflow does not call the AWS API'),
  AzureChaos: elsewhere('chaosflow does not call the Azure API'),
  GCPChaos: elsewhere('chaosflow does not call the Google Cloud API'),
  BlockChaos: elsewhere('chaosflow does not inject block-device faults'),
  JVMChaos: elsewhere('chaosflow does not inject JVM faults'),
  KernelChaos: elsewhere('chaosflow does not inject kernel faults'),
  PhysicalMachineChaos:
    'for a process on a host, declare it in a host inventory (kind Inventory) and use the chaos kind of the fault, such as NetworkChaos or StressChaos',
} as const satisfies Record<UnsupportedChaosKind, string>;

const OTHER_KIND_HINTS: Readonly<Record<string, string>> = {
  StatusCheck:
    'a standalone StatusCheck is not run: put it in a Workflow, as a template with templateType: StatusCheck',
  PhysicalMachine:
    'declare the machine in a host inventory (kind Inventory): a node with the address of its chaosflow agent, and its processes as pods',
  WorkflowNode:
    "Chaos Mesh's controller creates WorkflowNodes while a Workflow runs: apply the Workflow itself",
  PodNetworkChaos:
    "Chaos Mesh's controller writes it for each pod a NetworkChaos acts on: apply the NetworkChaos",
  PodIOChaos: "Chaos Mesh's controller writes it for each pod an IOChaos acts on: apply the IOChaos",
  PodHttpChaos: "Chaos Mesh's controller writes it for each pod an HTTPChaos acts on: apply the HTTPChaos",
};

const GENERAL_HINT = elsewhere('chaosflow does not run this Chaos Mesh kind');

/** The hint of a kind chaosflow knows it does not run; undefined for other kinds. */
export function knownUnsupportedKind(kind: string): string | undefined {
  if ((UNSUPPORTED_CHAOS_KINDS as readonly string[]).includes(kind))
    return CHAOS_KIND_HINTS[kind as UnsupportedChaosKind];
  return Object.hasOwn(OTHER_KIND_HINTS, kind) ? OTHER_KIND_HINTS[kind] : undefined;
}

/** The hint for any kind of Chaos Mesh's group, known or not. */
export function unsupportedKindHint(kind: string): string {
  return knownUnsupportedKind(kind) ?? GENERAL_HINT;
}

export function isChaosMeshApiVersion(apiVersion: unknown): boolean {
  return typeof apiVersion === 'string' && apiVersion.startsWith('chaos-mesh.org/');
}
