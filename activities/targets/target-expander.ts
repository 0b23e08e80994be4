import type { ChaosKind } from '../../common/chaos-kinds.js';
import type { PlanChaosOf } from '../../common/plan.js';
import type { ResolveTargetsInput, ResolveTargetsResult } from '../contract.js';
import type { ResolvedTargets } from './resolved-targets.js';

/**
 * What a chaos kind adds to the targets its selector resolved, and the context its batches share (NetworkChaos:
 * the `target` peers, which get rules of their own, and every address the rules match on). Kinds without one
 * act on what their selector chose.
 */
export type TargetExpander<K extends ChaosKind> = (
  input: ResolveTargetsInput<PlanChaosOf<K>>,
  resolved: ResolvedTargets,
) => Promise<ResolveTargetsResult>;

export type TargetExpanders = { readonly [K in ChaosKind]?: TargetExpander<K> };
