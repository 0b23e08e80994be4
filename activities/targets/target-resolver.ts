import type { ResolveTargetsInput, ResolveTargetsResult } from '../contract.js';

/** Resolves a chaos action's selector into targets grouped by daemon endpoint (Kubernetes or a host inventory). */
export interface TargetResolver {
  resolve(input: ResolveTargetsInput): Promise<ResolveTargetsResult>;
}
