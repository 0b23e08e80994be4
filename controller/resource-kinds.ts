/**
 * chaosflow's kinds as Kubernetes resources: group `chaosflow.dev`, version `v1alpha1`, and each kind's plural
 * and short name. The CRD generator (`scripts/gen/gen-crds.ts`), the controller and the tests read them here.
 * Short names avoid Chaos Mesh's so both can be installed in one cluster.
 */
import type { ManifestKind } from '../manifests/manifest-kinds.js';

export const CHAOSFLOW_GROUP = 'chaosflow.dev';
export const CHAOSFLOW_VERSION = 'v1alpha1';
export const CHAOSFLOW_API_VERSION = `${CHAOSFLOW_GROUP}/${CHAOSFLOW_VERSION}`;

export interface ResourceKind {
  readonly kind: ManifestKind;
  readonly plural: string;
  readonly singular: string;
  readonly shortName: string;
}

export const RESOURCE_KINDS = {
  Workflow: { kind: 'Workflow', plural: 'workflows', singular: 'workflow', shortName: 'cfwf' },
  Schedule: { kind: 'Schedule', plural: 'schedules', singular: 'schedule', shortName: 'cfsched' },
  PodChaos: { kind: 'PodChaos', plural: 'podchaos', singular: 'podchaos', shortName: 'cfpod' },
  NetworkChaos: {
    kind: 'NetworkChaos',
    plural: 'networkchaos',
    singular: 'networkchaos',
    shortName: 'cfnet',
  },
  StressChaos: { kind: 'StressChaos', plural: 'stresschaos', singular: 'stresschaos', shortName: 'cfstress' },
  IOChaos: { kind: 'IOChaos', plural: 'iochaos', singular: 'iochaos', shortName: 'cfio' },
  TimeChaos: { kind: 'TimeChaos', plural: 'timechaos', singular: 'timechaos', shortName: 'cftime' },
  HTTPChaos: { kind: 'HTTPChaos', plural: 'httpchaos', singular: 'httpchaos', shortName: 'cfhttp' },
  DNSChaos: { kind: 'DNSChaos', plural: 'dnschaos', singular: 'dnschaos', shortName: 'cfdns' },
} as const satisfies { readonly [K in ManifestKind]: ResourceKind & { kind: K } };

export const RESOURCES: readonly ResourceKind[] = Object.values(RESOURCE_KINDS);
