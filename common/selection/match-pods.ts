/**
 * Which pods a `PodSelectorSpec` matches, with Chaos Mesh's semantics (`pkg/selector/pod`, `generic/*`):
 *
 * - `pods` (namespace -> names), when set, is the whole answer: every other field is ignored, and listed pods
 *   that do not exist are skipped (reported in `missing`).
 * - Otherwise every given selector must match (AND): `namespaces` (default: the manifest's namespace),
 *   `labelSelectors` (equality) and `expressionSelectors` (In, NotIn, Exists, DoesNotExist, as Kubernetes label
 *   selectors), `annotationSelectors` (equality), `fieldSelectors` (equality on `metadata.name`,
 *   `metadata.namespace`, `spec.nodeName`, `status.phase`), `podPhaseSelectors` (any of the phases; without it,
 *   the source's default phases, Running for Kubernetes), and the
 *   nodes: a pod must run on a node named in `nodes` OR on a node whose labels match `nodeSelectors`.
 *
 * The result is sorted by namespace and name, so that a later random choice depends only on the random source,
 * not on the order a source happened to list pods in.
 */
import type { NodeLabels, PodInfo } from './pod-info.js';
import { POD_PHASES } from './pod-info.js';
import { LABEL_OPERATORS, type LabelSelectorRequirement, type PodSelectorSpec } from './pod-selector.js';
import { SelectionError } from './selection-error.js';

export interface MatchContext {
  /** The namespace of the manifest: the default of `selector.namespaces`. */
  defaultNamespace: string;
  /** Every known node and its labels. */
  nodeLabels: NodeLabels;
  /**
   * The phases a pod must be in when the selector has no `podPhaseSelectors` (the Kubernetes source: Running,
   * so pods that are starting, finished or failed are not targets). Absent: any phase.
   */
  defaultPhases?: readonly string[];
}

export interface MatchResult {
  pods: PodInfo[];
  /** The namespaces searched (those of `selector.pods` when it is set). */
  namespaces: string[];
  /** `<namespace>/<name>` of pods listed in `selector.pods` that do not exist. */
  missing: string[];
}

export const SUPPORTED_FIELD_SELECTORS = [
  'metadata.name',
  'metadata.namespace',
  'spec.nodeName',
  'status.phase',
] as const;

type FieldName = (typeof SUPPORTED_FIELD_SELECTORS)[number];

const FIELD_VALUE: Readonly<Record<FieldName, (pod: PodInfo) => string>> = {
  'metadata.name': (pod) => pod.name,
  'metadata.namespace': (pod) => pod.namespace,
  'spec.nodeName': (pod) => pod.nodeName ?? '',
  'status.phase': (pod) => pod.phase,
};

export function namespacesOf(selector: PodSelectorSpec, defaultNamespace: string): string[] {
  if (hasPods(selector)) return Object.keys(selector.pods ?? {}).sort();
  return selector.namespaces && selector.namespaces.length > 0
    ? [...selector.namespaces]
    : [defaultNamespace];
}

function hasPods(selector: PodSelectorSpec): boolean {
  return selector.pods !== undefined && Object.keys(selector.pods).length > 0;
}

/** Throws a SelectionError for a selector that can never be evaluated, whatever the pods. */
export function validateSelector(selector: PodSelectorSpec, context: MatchContext): void {
  if (hasPods(selector)) return;
  for (const [i, req] of (selector.expressionSelectors ?? []).entries()) validateRequirement(req, i);
  for (const key of Object.keys(selector.fieldSelectors ?? {})) {
    if (!(SUPPORTED_FIELD_SELECTORS as readonly string[]).includes(key)) {
      throw new SelectionError(
        'SELECTOR_UNSUPPORTED_FIELD',
        `selector.fieldSelectors: field "${key}" is not supported. Use one of ${SUPPORTED_FIELD_SELECTORS.join(', ')}, or a label selector.`,
        { field: key },
      );
    }
  }
  for (const phase of selector.podPhaseSelectors ?? []) {
    if (!(POD_PHASES as readonly string[]).includes(phase)) {
      throw new SelectionError(
        'SELECTOR_BAD_PHASE',
        `selector.podPhaseSelectors: "${phase}" is not a pod phase. Use ${POD_PHASES.join(', ')}.`,
        { phase },
      );
    }
  }
  for (const node of selector.nodes ?? []) {
    if (context.nodeLabels[node] === undefined) {
      const known = Object.keys(context.nodeLabels).sort();
      throw new SelectionError(
        'SELECTOR_UNKNOWN_NODE',
        `selector.nodes: node "${node}" does not exist. Known nodes: ${known.length > 0 ? known.join(', ') : '(none)'}.`,
        { node, known },
      );
    }
  }
}

function validateRequirement(req: LabelSelectorRequirement, index: number): void {
  const where = `selector.expressionSelectors[${index}] (key "${req.key}")`;
  const bad = (what: string) =>
    new SelectionError('SELECTOR_BAD_EXPRESSION', `${where}: ${what}`, {
      key: req.key,
      operator: req.operator,
    });
  if (!(LABEL_OPERATORS as readonly string[]).includes(req.operator)) {
    throw bad(`operator "${req.operator}" is not one of ${LABEL_OPERATORS.join(', ')}.`);
  }
  const count = req.values?.length ?? 0;
  if ((req.operator === 'In' || req.operator === 'NotIn') && count === 0) {
    throw bad(`operator ${req.operator} needs at least one value in "values".`);
  }
  if ((req.operator === 'Exists' || req.operator === 'DoesNotExist') && count > 0) {
    throw bad(`operator ${req.operator} takes no "values"; remove them.`);
  }
}

function requirementMatches(
  req: LabelSelectorRequirement,
  labels: Readonly<Record<string, string>>,
): boolean {
  const has = Object.hasOwn(labels, req.key);
  const value = labels[req.key];
  switch (req.operator) {
    case 'In':
      return has && value !== undefined && (req.values ?? []).includes(value);
    case 'NotIn':
      return !has || value === undefined || !(req.values ?? []).includes(value);
    case 'Exists':
      return has;
    case 'DoesNotExist':
      return !has;
  }
}

function mapMatches(
  wanted: Readonly<Record<string, string>> | undefined,
  actual: Readonly<Record<string, string>>,
) {
  return Object.entries(wanted ?? {}).every(([k, v]) => Object.hasOwn(actual, k) && actual[k] === v);
}

function byName(a: PodInfo, b: PodInfo): number {
  return a.namespace === b.namespace
    ? a.name < b.name
      ? -1
      : a.name > b.name
        ? 1
        : 0
    : a.namespace < b.namespace
      ? -1
      : 1;
}

export function matchPods(
  pods: readonly PodInfo[],
  selector: PodSelectorSpec,
  context: MatchContext,
): MatchResult {
  validateSelector(selector, context);
  const namespaces = namespacesOf(selector, context.defaultNamespace);

  if (hasPods(selector)) {
    const found: PodInfo[] = [];
    const missing: string[] = [];
    for (const ns of namespaces) {
      for (const name of selector.pods?.[ns] ?? []) {
        const pod = pods.find((p) => p.namespace === ns && p.name === name);
        if (pod) {
          if (!found.includes(pod)) found.push(pod);
        } else {
          missing.push(`${ns}/${name}`);
        }
      }
    }
    return { pods: found.sort(byName), namespaces, missing };
  }

  const allowedNodes = allowedNodesOf(selector, context.nodeLabels);
  const phases = selector.podPhaseSelectors?.length
    ? selector.podPhaseSelectors
    : (context.defaultPhases ?? []);
  const matched = pods.filter(
    (pod) =>
      namespaces.includes(pod.namespace) &&
      mapMatches(selector.labelSelectors, pod.labels) &&
      (selector.expressionSelectors ?? []).every((req) => requirementMatches(req, pod.labels)) &&
      mapMatches(selector.annotationSelectors, pod.annotations) &&
      Object.entries(selector.fieldSelectors ?? {}).every(
        ([k, v]) => FIELD_VALUE[k as FieldName](pod) === v,
      ) &&
      (phases.length === 0 || phases.includes(pod.phase)) &&
      (allowedNodes === undefined || (pod.nodeName !== undefined && allowedNodes.has(pod.nodeName))),
  );
  return { pods: matched.sort(byName), namespaces, missing: [] };
}

/** Undefined when the selector does not restrict nodes. Chaos Mesh combines `nodes` and `nodeSelectors` (OR). */
function allowedNodesOf(selector: PodSelectorSpec, nodeLabels: NodeLabels): Set<string> | undefined {
  const named = selector.nodes ?? [];
  const labelled = selector.nodeSelectors ?? {};
  if (named.length === 0 && Object.keys(labelled).length === 0) return undefined;
  const allowed = new Set(named);
  if (Object.keys(labelled).length > 0) {
    for (const [node, labels] of Object.entries(nodeLabels))
      if (mapMatches(labelled, labels)) allowed.add(node);
  }
  return allowed;
}

/** The selector in a few words, for messages: `labelSelectors {app=web}, podPhaseSelectors [Running]`. */
export function describeSelector(selector: PodSelectorSpec): string {
  const map = (m: Readonly<Record<string, string>>) =>
    `{${Object.entries(m)
      .map(([k, v]) => `${k}=${v}`)
      .join(', ')}}`;
  const parts: string[] = [];
  if (hasPods(selector)) {
    const pods = Object.entries(selector.pods ?? {}).flatMap(([ns, names]) => names.map((n) => `${ns}/${n}`));
    return `pods [${pods.join(', ')}]`;
  }
  if (selector.labelSelectors && Object.keys(selector.labelSelectors).length > 0) {
    parts.push(`labelSelectors ${map(selector.labelSelectors)}`);
  }
  for (const req of selector.expressionSelectors ?? []) {
    parts.push(`${req.key} ${req.operator}${req.values?.length ? ` (${req.values.join(', ')})` : ''}`);
  }
  if (selector.annotationSelectors && Object.keys(selector.annotationSelectors).length > 0) {
    parts.push(`annotationSelectors ${map(selector.annotationSelectors)}`);
  }
  if (selector.fieldSelectors && Object.keys(selector.fieldSelectors).length > 0) {
    parts.push(`fieldSelectors ${map(selector.fieldSelectors)}`);
  }
  if (selector.podPhaseSelectors?.length)
    parts.push(`podPhaseSelectors [${selector.podPhaseSelectors.join(', ')}]`);
  if (selector.nodes?.length) parts.push(`nodes [${selector.nodes.join(', ')}]`);
  if (selector.nodeSelectors && Object.keys(selector.nodeSelectors).length > 0) {
    parts.push(`nodeSelectors ${map(selector.nodeSelectors)}`);
  }
  return parts.length > 0 ? parts.join(', ') : 'every pod';
}
