/**
 * Checks of one probe beyond its schema, the same for a StatusCheck and for a probe attached to a chaos
 * template: its type's settings are there and no other type's are, its URLs and status codes are well formed,
 * its regular expressions and JSON paths compile, and a Kubernetes probe names what it looks for coherently.
 * A chaos template's probes have unique names.
 */
import { JSONPath } from 'jsonpath-plus';
import type { ChaosProbeSpec } from '../common/generated/manifest-types.js';
import { PROBE_TYPES, type ProbeType } from '../common/plan.js';
import type { ProbeFields } from './compile-probe.js';
import { joinPointer, type ManifestIssue } from './errors.js';
import { checkHttpUrl, checkStatusCode } from './value-checks.js';

const SETTINGS_FIELD = {
  HTTP: 'http',
  Command: 'command',
  Prometheus: 'prometheus',
  Kubernetes: 'kubernetes',
} as const satisfies Record<ProbeType, keyof ProbeFields>;

export function checkProbe(probe: ProbeFields, at: string, issues: ManifestIssue[]): void {
  const type = probe.type ?? 'HTTP';
  const own = SETTINGS_FIELD[type];
  if (probe[own] === undefined) {
    issues.push({
      code: 'PROBE_SETTINGS_MISSING',
      pointer: at,
      message: `a ${type} probe needs its settings under ${own}`,
      fix: `add ${own}: { ... } (see schemas/README.md), or change type`,
    });
  }
  for (const other of PROBE_TYPES) {
    const field = SETTINGS_FIELD[other];
    if (other === type || probe[field] === undefined) continue;
    issues.push({
      code: 'PROBE_SETTINGS_MISPLACED',
      pointer: joinPointer(at, field),
      message: `${field} belongs to a ${other} probe, and this one is type ${type}`,
      fix: `remove ${field}, or set type: ${other}`,
      at: 'key',
    });
  }
  if (type === 'HTTP' && probe.http) {
    checkHttpUrl(probe.http.url, joinPointer(at, 'http', 'url'), issues);
    const criteria = joinPointer(at, 'http', 'criteria');
    checkStatusCode(probe.http.criteria.statusCode, joinPointer(criteria, 'statusCode'), issues);
    const body = probe.http.criteria.body;
    checkRegex(body?.matches, joinPointer(criteria, 'body', 'matches'), issues);
    checkJsonPath(body?.json?.path, joinPointer(criteria, 'body', 'json', 'path'), issues);
  }
  if (type === 'Command' && probe.command) {
    checkRegex(probe.command.stdout?.matches, joinPointer(at, 'command', 'stdout', 'matches'), issues);
  }
  if (type === 'Prometheus' && probe.prometheus) {
    const { endpoint, criteria } = probe.prometheus;
    if (endpoint !== undefined) checkHttpUrl(endpoint, joinPointer(at, 'prometheus', 'endpoint'), issues);
    checkRegex(criteria.matches, joinPointer(at, 'prometheus', 'criteria', 'matches'), issues);
  }
  if (type === 'Kubernetes' && probe.kubernetes)
    checkKubernetesProbe(probe.kubernetes, joinPointer(at, 'kubernetes'), issues);
}

/** The probes of a chaos template: each checked, names unique. */
export function checkChaosProbes(
  probes: readonly ChaosProbeSpec[],
  at: string,
  issues: ManifestIssue[],
): void {
  const seen = new Set<string>();
  probes.forEach((probe, i) => {
    const pointer = joinPointer(at, i);
    if (seen.has(probe.name)) {
      issues.push({
        code: 'PROBE_NAME_DUPLICATE',
        pointer: joinPointer(pointer, 'name'),
        message: `two probes of this template are named ${JSON.stringify(probe.name)}`,
        fix: 'give each probe of a template its own name',
      });
    }
    seen.add(probe.name);
    checkProbe(probe, pointer, issues);
  });
}

function checkKubernetesProbe(
  k: NonNullable<ProbeFields['kubernetes']>,
  at: string,
  issues: ManifestIssue[],
): void {
  if (k.name !== undefined && k.labelSelector !== undefined) {
    issues.push({
      code: 'PROBE_SETTINGS_MISPLACED',
      pointer: joinPointer(at, 'labelSelector'),
      message:
        'a Kubernetes probe looks for one object by name or for the objects of a label selector, not both',
      fix: 'keep name or labelSelector',
      at: 'key',
    });
  }
  if (k.expect === 'field' && k.field === undefined) {
    issues.push({
      code: 'PROBE_SETTINGS_MISSING',
      pointer: joinPointer(at, 'expect'),
      message: 'expect: field needs field: { path, ... } to say which field and what it must hold',
      fix: 'add field: { path: $.status.readyReplicas, compare: { op: ">=", value: 1 } }, or expect present/absent',
    });
  }
  checkJsonPath(k.field?.path, joinPointer(at, 'field', 'path'), issues);
  checkRegex(k.field?.matches, joinPointer(at, 'field', 'matches'), issues);
}

export function checkRegex(pattern: string | undefined, pointer: string, issues: ManifestIssue[]): void {
  if (pattern === undefined) return;
  try {
    new RegExp(pattern, 'u');
  } catch (err) {
    issues.push({
      code: 'PROBE_REGEX_INVALID',
      pointer,
      message: `not a regular expression: ${(err as Error).message.slice(0, 200)}`,
      fix: 'write a JavaScript regular expression, such as ^ok$',
    });
  }
}

function checkJsonPath(path: string | undefined, pointer: string, issues: ManifestIssue[]): void {
  if (path === undefined) return;
  let ok = path.startsWith('$');
  if (ok) {
    try {
      ok = JSONPath.toPathArray(path).length > 0;
    } catch {
      ok = false;
    }
  }
  if (ok) return;
  issues.push({
    code: 'PROBE_JSON_PATH_INVALID',
    pointer,
    message: `${JSON.stringify(path.slice(0, 100))} is not a JSONPath`,
    fix: 'start it with $, such as $.status.phase or $.items[0].name',
  });
}
