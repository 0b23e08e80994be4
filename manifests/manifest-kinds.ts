/**
 * The top-level kinds chaosflow reads from YAML, their API versions, and the schema file of each: the kinds
 * that run (manifests, compiled into plans), the host inventory (configuration of the worker) and Chaos Mesh's
 * RemoteCluster (a cluster's name, served by that cluster's own worker).
 */
import { SUPPORTED_CHAOS_KINDS, type ChaosKind } from '../common/chaos-kinds.js';

export const MANIFEST_KINDS = ['Workflow', 'Schedule', ...SUPPORTED_CHAOS_KINDS] as const;
export type ManifestKind = (typeof MANIFEST_KINDS)[number];

export const INVENTORY_KIND = 'Inventory';

/** Chaos Mesh's RemoteCluster: declares a cluster by name, that chaos nodes point at with `remoteCluster`. */
export const REMOTE_CLUSTER_KIND = 'RemoteCluster';

/** Every kind a document may have: `chaosflow validate` checks them all. */
export const DOCUMENT_KINDS = [...MANIFEST_KINDS, INVENTORY_KIND, REMOTE_CLUSTER_KIND] as const;
export type DocumentKind = (typeof DOCUMENT_KINDS)[number];

/** chaosflow's own group first; Chaos Mesh manifests are accepted unchanged. */
export const API_VERSIONS = ['chaosflow.dev/v1alpha1', 'chaos-mesh.org/v1alpha1'] as const;

export const DEFAULT_NAMESPACE = 'default';

/** Schema file of each kind, relative to `schemas/`; its `$id` is `SCHEMA_BASE_ID` + this path. */
export const SCHEMA_FILE = {
  Workflow: 'workflow.schema.json',
  Schedule: 'schedule.schema.json',
  PodChaos: 'pod-chaos.schema.json',
  NetworkChaos: 'network-chaos.schema.json',
  StressChaos: 'stress-chaos.schema.json',
  IOChaos: 'io-chaos.schema.json',
  TimeChaos: 'time-chaos.schema.json',
  HTTPChaos: 'http-chaos.schema.json',
  DNSChaos: 'dns-chaos.schema.json',
  Inventory: 'inventory.schema.json',
  RemoteCluster: 'remote-cluster.schema.json',
} as const satisfies Record<DocumentKind, string>;

export const SCHEMA_BASE_ID = 'https://chaosflow.dev/schemas/';

export function isManifestKind(value: string): value is ManifestKind {
  return (MANIFEST_KINDS as readonly string[]).includes(value);
}

export function isDocumentKind(value: string): value is DocumentKind {
  return (DOCUMENT_KINDS as readonly string[]).includes(value);
}

export function isChaosManifestKind(kind: ManifestKind): kind is ChaosKind {
  return kind !== 'Workflow' && kind !== 'Schedule';
}
