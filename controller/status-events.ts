/**
 * The Kubernetes Events that tell a run's story, derived from the change between the status on the object and
 * the new one: a node that started or ended, a fault injected or recovered (on the object and on the target
 * pod), the run's end. Derived from the stored status, so a restarted controller does not repeat them.
 */
import type { FaultState, Phase } from '../common/run-status.js';
import type { ObjectFaultSummary, ObjectNodeSummary, ObjectStatus } from './object-status.js';

export interface KubeEvent {
  type: 'Normal' | 'Warning';
  reason: string;
  message: string;
  /** Another object the event is about too (the pod a fault was injected into). */
  pod?: { namespace: string; name: string };
}

/** At most this many events per change, so a burst of nodes does not flood the API server. */
export const EVENTS_PER_CHANGE = 30;

const FAILED: ReadonlySet<Phase> = new Set(['Failed', 'DeadlineExceeded', 'RecoveryFailed', 'Aborted']);

export function eventsOfChange(before: ObjectStatus | undefined, after: ObjectStatus): KubeEvent[] {
  const events = [...nodeEvents(before?.nodes ?? [], after.nodes ?? []), ...faultEvents(before, after)];
  // An invalid object's event is made where its Ready condition changes, with its errors.
  const ended = after.phase && !['Running', 'Pending', 'Invalid'].includes(after.phase);
  if (ended && after.phase !== before?.phase) {
    const accomplished = after.conditions?.find((c) => c.type === 'Accomplished');
    events.push({
      type: FAILED.has(after.phase as Phase) ? 'Warning' : 'Normal',
      reason: `Run${after.phase}`,
      message: accomplished?.message ?? `the run ended ${after.phase}`,
    });
  }
  return events.slice(0, EVENTS_PER_CHANGE);
}

function nodeEvents(before: readonly ObjectNodeSummary[], after: readonly ObjectNodeSummary[]): KubeEvent[] {
  const previous = new Map(before.map((n) => [n.id, n.phase]));
  return after.flatMap((node): KubeEvent[] => {
    if (previous.get(node.id) === node.phase) return [];
    const why = node.reason && node.reason !== 'NodeAccomplished' ? ` (${node.reason})` : '';
    return [
      {
        type: FAILED.has(node.phase) ? 'Warning' : 'Normal',
        reason: `Node${node.phase}`,
        message: `${node.type} node ${node.id} ${node.phase}${why}`,
      },
    ];
  });
}

const INJECTED: ReadonlySet<FaultState> = new Set(['Injected']);

function faultEvents(before: ObjectStatus | undefined, after: ObjectStatus): KubeEvent[] {
  const previous = new Map((before?.faults ?? []).map((f) => [f.key, f.state]));
  return (after.faults ?? []).flatMap((fault): KubeEvent[] => {
    const was = previous.get(fault.key);
    if (was === fault.state) return [];
    if (INJECTED.has(fault.state)) return [faultEvent(fault, 'Normal', 'FaultInjected', 'injected into')];
    if (fault.state === 'Recovered' && was !== undefined) {
      return [faultEvent(fault, 'Normal', 'FaultRecovered', 'recovered on')];
    }
    // First seen already over: a one-shot fault (pod-kill, container-kill: nothing to undo) or one injected and
    // recovered between two refreshes. Its injection is still part of the story.
    if (fault.state === 'Recovered') {
      return [faultEvent(fault, 'Normal', 'FaultInjected', 'done on')];
    }
    if (fault.state === 'RecoveryFailed') {
      return [faultEvent(fault, 'Warning', 'FaultRecoveryFailed', 'not yet recovered on')];
    }
    return [];
  });
}

function faultEvent(
  fault: ObjectFaultSummary,
  type: KubeEvent['type'],
  reason: string,
  verb: string,
): KubeEvent {
  const [namespace, name] = fault.target.split('/');
  const what = fault.action ? `${fault.kind}/${fault.action}` : fault.kind;
  return {
    type,
    reason,
    message: `${what} ${verb} ${fault.target}`,
    ...(namespace && name ? { pod: { namespace, name } } : {}),
  };
}
