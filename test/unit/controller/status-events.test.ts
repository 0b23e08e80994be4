import { describe, expect, it } from 'vitest';
import { eventsOfChange } from '../../../controller/status-events.js';
import type { ObjectFaultSummary, ObjectStatus } from '../../../controller/object-status.js';

const fault = (state: ObjectFaultSummary['state'], kind = 'NetworkChaos', action = 'partition') => ({
  key: `run/node/${kind}`,
  target: 'demo/web-0/web',
  kind,
  action,
  state,
});
const running = (faults: ObjectFaultSummary[]): ObjectStatus => ({ phase: 'Running', faults });

describe('the events of a status change', () => {
  it('tells an injection and, later, its recovery, each once', () => {
    const injected = eventsOfChange(running([fault('Injecting')]), running([fault('Injected')]));
    expect(injected.map((e) => [e.reason, e.message, e.pod])).toEqual([
      [
        'FaultInjected',
        'NetworkChaos/partition injected into demo/web-0/web',
        { namespace: 'demo', name: 'web-0' },
      ],
    ]);
    const recovered = eventsOfChange(running([fault('Injected')]), running([fault('Recovered')]));
    expect(recovered.map((e) => e.reason)).toEqual(['FaultRecovered']);
    expect(eventsOfChange(running([fault('Recovered')]), running([fault('Recovered')]))).toEqual([]);
  });

  it('tells a fault first seen already over (a one-shot pod-kill) as done, not as recovered', () => {
    const events = eventsOfChange(running([]), running([fault('Recovered', 'PodChaos', 'pod-kill')]));
    expect(events.map((e) => [e.reason, e.message])).toEqual([
      ['FaultInjected', 'PodChaos/pod-kill done on demo/web-0/web'],
    ]);
  });

  it('warns of a recovery that failed', () => {
    const events = eventsOfChange(running([fault('Recovering')]), running([fault('RecoveryFailed')]));
    expect(events.map((e) => [e.type, e.reason])).toEqual([['Warning', 'FaultRecoveryFailed']]);
  });
});
