/**
 * One-line summaries of the activities a run schedules (Temporal user metadata), so the Temporal UI's timeline
 * reads as the game day: `inject NetworkChaos/partition on default/demo-0/server`, `recover ...`,
 * `probe steady-state: HTTP GET http://10.200.0.2:8080/`. Set per call with `executeWithOptions({ summary })`.
 */
import type { FaultBatch } from '../activities/contract.js';
import type { PlanProbe } from '../common/plan.js';

/** Targets named in a summary before `and N more`. */
const TARGETS_SHOWN = 2;
const SUMMARY_MAX = 200;

export function faultSummary(verb: 'inject' | 'recover', batch: FaultBatch): string {
  const { kind, action } = batch.chaos;
  const keys = batch.targets.map((t) => t.target.key);
  const more = keys.length > TARGETS_SHOWN ? ` and ${keys.length - TARGETS_SHOWN} more` : '';
  return oneLine(
    `${verb} ${action ? `${kind}/${action}` : kind} on ${keys.slice(0, TARGETS_SHOWN).join(', ')}${more}`,
  );
}

export function probeActivitySummary(name: string, probe: PlanProbe): string {
  return oneLine(`probe ${name}: ${probeTarget(probe)}`);
}

function probeTarget(probe: PlanProbe): string {
  switch (probe.type) {
    case 'HTTP':
      return `HTTP ${probe.http.method} ${probe.http.url}`;
    case 'Command':
      return `Command ${probe.command.argv.join(' ')}`;
    case 'Prometheus':
      return `Prometheus ${probe.prometheus.query}`;
    case 'Kubernetes': {
      const k = probe.kubernetes;
      return `Kubernetes ${k.resource}${k.name ? `/${k.name}` : k.labelSelector ? ` ${k.labelSelector}` : ''} ${k.expect}`;
    }
  }
}

function oneLine(text: string): string {
  const flat = text.replace(/\s*[\r\n]+\s*/g, ' ');
  return flat.length <= SUMMARY_MAX ? flat : `${flat.slice(0, SUMMARY_MAX - 1)}…`;
}
