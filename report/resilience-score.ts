/**
 * The resilience score as LitmusChaos defines it: the weighted mean of the probes' success percentages,
 * `sum(weight × success%) / sum(weight)`, over the probes that produced at least one result. A probe's success
 * percentage is the share of its recorded results that succeeded. Weights come from the probe's `weight`
 * (default 1); a StatusCheck node counts as one probe of weight 1. Undefined when no probe ran.
 */
export interface ScoredProbe {
  id: string;
  weight: number;
  successes: number;
  total: number;
}

export interface ResilienceScore {
  /** 0–100, one decimal; undefined when no probe has a result or every weight is 0. */
  value: number | undefined;
  /** Sum of the weights that counted. */
  weightTotal: number;
  /** How many probes counted. */
  probes: number;
}

/** A probe's success percentage (0–100), or undefined when it has no result. */
export function successPercentage(probe: Pick<ScoredProbe, 'successes' | 'total'>): number | undefined {
  return probe.total === 0 ? undefined : (probe.successes / probe.total) * 100;
}

export function resilienceScore(probes: readonly ScoredProbe[]): ResilienceScore {
  let weighted = 0;
  let weightTotal = 0;
  let counted = 0;
  for (const probe of probes) {
    const pct = successPercentage(probe);
    if (pct === undefined) continue;
    counted += 1;
    weighted += probe.weight * pct;
    weightTotal += probe.weight;
  }
  return {
    value: weightTotal > 0 ? Math.round((weighted / weightTotal) * 10) / 10 : undefined,
    weightTotal,
    probes: counted,
  };
}
