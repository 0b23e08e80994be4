/**
 * A probe's spec to its Plan form, the same for a StatusCheck and for a probe attached to a chaos template: the
 * type's own field, with the defaults applied (HTTP: GET, no headers; Command: exit code 0; Kubernetes: the
 * core group). The semantic checks (`probe-checks.ts`) have made sure the type's field is there.
 */
import type { PlanProbe } from '../common/plan.js';
import type {
  CommandProbeSpec,
  KubernetesProbeSpec,
  PrometheusProbeSpec,
  StatusCheckHttpSpec,
} from '../common/generated/manifest-types.js';
import { STATUS_CHECK_DEFAULTS } from './defaults.js';
import { parseStatusCodeRange } from './value-checks.js';

export interface ProbeFields {
  type?: PlanProbe['type'];
  http?: StatusCheckHttpSpec;
  command?: CommandProbeSpec;
  prometheus?: PrometheusProbeSpec;
  kubernetes?: KubernetesProbeSpec;
}

export function compileProbe(spec: ProbeFields): PlanProbe {
  const type = spec.type ?? STATUS_CHECK_DEFAULTS.type;
  switch (type) {
    case 'HTTP': {
      const http = present(spec.http, type);
      const range = parseStatusCodeRange(http.criteria.statusCode);
      if (!range) throw new Error(`compile: status code ${http.criteria.statusCode} was not validated`);
      const { body, maxResponseMs } = http.criteria;
      return {
        type,
        http: {
          url: http.url,
          method: http.method ?? STATUS_CHECK_DEFAULTS.method,
          headers: structuredClone(http.headers ?? {}),
          ...(http.body === undefined ? {} : { body: http.body }),
          criteria: {
            statusCode: range,
            ...(body ? { body: structuredClone(body) } : {}),
            ...(maxResponseMs === undefined ? {} : { maxResponseMs }),
          },
        },
      };
    }
    case 'Command': {
      const command = present(spec.command, type);
      return {
        type,
        command: {
          argv: [...command.argv],
          ...(command.workingDir === undefined ? {} : { workingDir: command.workingDir }),
          env: { ...command.env },
          exitCode: command.exitCode ?? 0,
          ...(command.stdout ? { stdout: structuredClone(command.stdout) } : {}),
        },
      };
    }
    case 'Prometheus':
      return { type, prometheus: structuredClone(present(spec.prometheus, type)) };
    case 'Kubernetes': {
      const k = present(spec.kubernetes, type);
      return { type, kubernetes: { ...structuredClone(k), group: k.group ?? '' } };
    }
  }
}

/** The semantic checks guarantee the type's field; reaching this is a bug in them. */
function present<T>(value: T | undefined, type: string): T {
  if (value === undefined) throw new Error(`compile: a ${type} probe without its settings was not validated`);
  return value;
}
