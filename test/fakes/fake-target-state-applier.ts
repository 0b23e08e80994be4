import type { ApplyTargetStateInput, ApplyTargetStateResult } from '../../activities/contract.js';
import { ActivityError } from '../../activities/errors.js';

/**
 * FAKE daemon side of the per-target entity: records every merged state it is asked to send, per pod, and can
 * refuse states that contain a given item.
 */
export class FakeTargetStateApplier {
  /** `<family>/<ns>/<pod>` → every state sent, in order. */
  readonly sent = new Map<string, Record<string, unknown[]>[]>();
  /** A state containing an item equal to one of these (JSON) is refused permanently. */
  readonly refuse = new Set<string>();
  /** Calls in flight right now, and the most seen at once per pod (must stay 1). */
  readonly inFlight = new Map<string, number>();
  readonly maxInFlight = new Map<string, number>();
  /** `<family>/<ns>/<pod>` → the `appliedLists` of every call, refused ones too, in order. */
  readonly appliedLists = new Map<string, (string[] | undefined)[]>();
  delayMs = 20;

  readonly apply = async (input: ApplyTargetStateInput): Promise<ApplyTargetStateResult> => {
    const pod = `${input.family}/${input.target.namespace}/${input.target.pod}`;
    const now = (this.inFlight.get(pod) ?? 0) + 1;
    this.inFlight.set(pod, now);
    this.maxInFlight.set(pod, Math.max(now, this.maxInFlight.get(pod) ?? 0));
    this.appliedLists.set(pod, [...(this.appliedLists.get(pod) ?? []), input.appliedLists]);
    try {
      await new Promise((resolve) => setTimeout(resolve, this.delayMs));
      const items = Object.values(input.lists)
        .flat()
        .map((i) => JSON.stringify(i));
      const refused = items.find((i) => this.refuse.has(i));
      if (refused) throw new ActivityError('UNSUPPORTED', `fake daemon refuses ${refused}`);
      this.sent.set(pod, [...(this.sent.get(pod) ?? []), input.lists]);
      return {};
    } finally {
      this.inFlight.set(pod, (this.inFlight.get(pod) ?? 1) - 1);
    }
  };

  last(pod: string): Record<string, unknown[]> | undefined {
    return this.sent.get(pod)?.at(-1);
  }
}
