/**
 * Chaos Mesh's pod and container selectors (`api/v1alpha1/selector.go`), as they appear inline in chaos specs:
 * `selector` + `mode` + `value` (+ `containerNames`), as selection reads them (read-only). The schema's own types
 * (`schemas/defs/selector.schema.json`, generated) must fit these: the check at the end fails to compile when a
 * selector the schema accepts is one selection could not read.
 */
import type { PodSelector as SchemaPodSelector, StressChaosSpec } from '../generated/manifest-types.js';

export const SELECTOR_MODES = ['one', 'all', 'fixed', 'fixed-percent', 'random-max-percent'] as const;
export type SelectorMode = (typeof SELECTOR_MODES)[number];

export const LABEL_OPERATORS = ['In', 'NotIn', 'Exists', 'DoesNotExist'] as const;
export type LabelOperator = (typeof LABEL_OPERATORS)[number];

export interface LabelSelectorRequirement {
  key: string;
  operator: LabelOperator;
  values?: readonly string[];
}

export interface PodSelectorSpec {
  /** Default: the namespace of the manifest. */
  namespaces?: readonly string[];
  labelSelectors?: Readonly<Record<string, string>>;
  expressionSelectors?: readonly LabelSelectorRequirement[];
  /** Supported: `metadata.name`, `metadata.namespace`, `spec.nodeName`, `status.phase`. */
  fieldSelectors?: Readonly<Record<string, string>>;
  annotationSelectors?: Readonly<Record<string, string>>;
  nodes?: readonly string[];
  nodeSelectors?: Readonly<Record<string, string>>;
  podPhaseSelectors?: readonly string[];
  /** Namespace -> pod names. When set, only these pods are considered and every other selector is ignored. */
  pods?: Readonly<Record<string, readonly string[]>>;
}

export interface PodSelector {
  selector: PodSelectorSpec;
  mode: SelectorMode;
  /** fixed: a count > 0; fixed-percent and random-max-percent: 1..100. Unused by one and all. */
  value?: string;
}

export interface ContainerSelector extends PodSelector {
  /** Empty or absent: the first container of each selected pod. */
  containerNames?: readonly string[];
}

/** Draws a number in [0, 1). An activity passes `Math.random`, so the choice is recorded in workflow history. */
export type RandomSource = () => number;

/** Compile-time: every schema selector (and every chaos spec's selection part) is a `ContainerSelector`. */
type Fits<A, B> = [A] extends [B] ? true : false;
const schemaSelectorsFit: [Fits<SchemaPodSelector, PodSelector>, Fits<StressChaosSpec, ContainerSelector>] = [
  true,
  true,
];
void schemaSelectorsFit;
