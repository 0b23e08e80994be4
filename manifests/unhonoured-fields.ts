/**
 * Fields the schemas accept but the drivers (activities/faults/, target resolution, the probe, the host task)
 * do not honour in every case. None is ignored without a word: a field that would change where or whether a
 * fault lands is refused (`FIELD_UNSUPPORTED`, an error); one whose absence is harmless, or that Chaos Mesh
 * ignores in the same case, gives a `FIELD_IGNORED` warning. Each rule is one row of the table in
 * schemas/README.md (a test keeps them equal).
 */
import type { ChaosKind } from '../common/chaos-kinds.js';
import type {
  DNSChaosSpec,
  HTTPChaosSpec,
  IOChaosSpec,
  Manifest,
  NetworkChaosSpec,
  PodChaosSpec,
  StatusCheckSpec,
  StressChaosSpec,
  TimeChaosSpec,
} from '../common/generated/manifest-types.js';
import { CHAOS_MESH_PAUSE_ANNOTATION } from './defaults.js';
import { joinPointer, type ManifestIssue } from './errors.js';

export type FieldTreatment = 'reject' | 'warn';

interface Finding {
  /** Below the spec the rule reads. */
  path: readonly (string | number)[];
  message: string;
  fix: string;
}

interface Rule<S> {
  /** As in the table of schemas/README.md: `<where>.<field>`. */
  field: string;
  treatment: FieldTreatment;
  /** What to say when `spec` writes the field where no driver honours it. */
  find(spec: S): Finding | undefined;
}

interface SpecOf {
  PodChaos: PodChaosSpec;
  NetworkChaos: NetworkChaosSpec;
  StressChaos: StressChaosSpec;
  IOChaos: IOChaosSpec;
  TimeChaos: TimeChaosSpec;
  HTTPChaos: HTTPChaosSpec;
  DNSChaos: DNSChaosSpec;
}

/** The annotation with which Chaos Mesh aborts a Workflow. */
const CHAOS_MESH_ABORT_ANNOTATION = 'workflow.chaos-mesh.org/abort';

/** NetworkChaos: which shaping fields each action uses (netem merges all of its parts, as Chaos Mesh does). */
const NETEM_PARTS = ['delay', 'loss', 'duplicate', 'corrupt', 'rate'] as const;
type ShapingField = (typeof NETEM_PARTS)[number] | 'bandwidth';

function shapingUsed(action: NetworkChaosSpec['action']): readonly ShapingField[] {
  if (action === 'partition') return [];
  if (action === 'bandwidth') return ['bandwidth'];
  return NETEM_PARTS;
}

const shaping = (field: ShapingField): Rule<NetworkChaosSpec> => ({
  field: `NetworkChaos.${field}`,
  treatment: 'warn',
  find: (s) =>
    s[field] === undefined || shapingUsed(s.action).includes(field)
      ? undefined
      : {
          path: [field],
          message: `${field} is not used by action ${s.action}`,
          fix: `remove ${field}, or set action: ${field === 'rate' ? 'netem' : field}`,
        },
});

/** tc takes a peak rate only with a minimum burst; Chaos Mesh's `FromBandwidth` drops a lone one the same way. */
const bandwidthPair = (field: 'peakrate' | 'minburst'): Rule<NetworkChaosSpec> => {
  const other = field === 'peakrate' ? 'minburst' : 'peakrate';
  return {
    field: `NetworkChaos.bandwidth.${field}`,
    treatment: 'warn',
    find: (s) =>
      s.action !== 'bandwidth' || s.bandwidth?.[field] === undefined || s.bandwidth[other] !== undefined
        ? undefined
        : {
            path: ['bandwidth', field],
            message: `${field} is not used without ${other}: tc takes them only together`,
            fix: `add ${other}, or remove ${field}`,
          },
  };
};

/** IOChaos: the field each action reads. */
const IO_ACTION_OF = { delay: 'latency', errno: 'fault', attr: 'attrOverride', mistake: 'mistake' } as const;

const ioField = (field: keyof typeof IO_ACTION_OF): Rule<IOChaosSpec> => ({
  field: `IOChaos.${field}`,
  treatment: 'warn',
  find: (s) =>
    s[field] === undefined || s.action === IO_ACTION_OF[field]
      ? undefined
      : {
          path: [field],
          message: `${field} is not used by action ${s.action}: it is for action ${IO_ACTION_OF[field]}`,
          fix: `remove ${field}, or set action: ${IO_ACTION_OF[field]}`,
        },
});

/** HTTPChaos fields that only a request, or only a response, has. */
const httpSide = (
  path: readonly string[],
  side: HTTPChaosSpec['target'],
  read: (s: HTTPChaosSpec) => unknown,
  why: string,
): Rule<HTTPChaosSpec> => ({
  field: `HTTPChaos.${path.join('.')}`,
  treatment: 'warn',
  find: (s) =>
    s.target === side || read(s) === undefined
      ? undefined
      : {
          path,
          message: `${path.join('.')} is not used with target ${s.target}: ${why}`,
          fix: `remove ${path.join('.')}, or set target: ${side}`,
        },
});

const CHAOS_RULES: { [K in ChaosKind]: readonly Rule<SpecOf[K]>[] } = {
  PodChaos: [
    {
      field: 'PodChaos.gracePeriod',
      treatment: 'warn',
      find: (s) =>
        (s.gracePeriod ?? 0) === 0
          ? undefined
          : {
              path: ['gracePeriod'],
              message:
                s.action === 'pod-kill'
                  ? `gracePeriod ${s.gracePeriod} is not honoured: chaosflow's pod-kill kills the processes of a host pod at once, as gracePeriod 0 would`
                  : `gracePeriod is only used by pod-kill, not by ${s.action}`,
              fix: 'remove gracePeriod',
            },
    },
    {
      field: 'PodChaos.containerNames',
      treatment: 'warn',
      find: (s) =>
        s.action === 'container-kill' || (s.containerNames ?? []).length === 0
          ? undefined
          : {
              path: ['containerNames'],
              message: `containerNames is not used by ${s.action}: it acts on the whole pod`,
              fix: 'remove containerNames, or use action container-kill to kill only those containers',
            },
    },
  ],
  NetworkChaos: [
    ...NETEM_PARTS.map(shaping),
    shaping('bandwidth'),
    bandwidthPair('peakrate'),
    bandwidthPair('minburst'),
    {
      field: 'NetworkChaos.loss.correlation',
      treatment: 'warn',
      find: (s) =>
        !shapingUsed(s.action).includes('loss') || !(Number(s.loss?.correlation ?? 0) > 0)
          ? undefined
          : {
              path: ['loss', 'correlation'],
              message:
                'loss.correlation is honoured only where the target has the netem qdisc: the chaosflow agent on a ' +
                'host without sch_netem drops each packet independently (iptables statistic match)',
              fix: 'remove loss.correlation, or run the fault where the kernel has sch_netem',
            },
    },
    {
      field: 'NetworkChaos.targetDevice',
      treatment: 'warn',
      find: (s) => {
        if (!s.targetDevice) return undefined;
        if (s.target === undefined) {
          return {
            path: ['targetDevice'],
            message: 'targetDevice is not used without target: it names the interface of the target pods',
            fix: 'remove targetDevice, or add target',
          };
        }
        if (s.action !== 'partition' && (s.direction ?? 'to') === 'to') {
          return {
            path: ['targetDevice'],
            message: `targetDevice is not used by action ${s.action} with direction to: only the selected pods get a rule`,
            fix: 'remove targetDevice, or use direction from or both',
          };
        }
        return undefined;
      },
    },
  ],
  StressChaos: [
    {
      field: 'StressChaos.stressors',
      treatment: 'warn',
      find: (s) =>
        s.stressors === undefined || (s.stressngStressors ?? '').trim() === ''
          ? undefined
          : {
              path: ['stressors'],
              message:
                'stressors is not used: stressngStressors is set, and it wins (as the StressChaos CRD says)',
              fix: 'keep only one of stressors and stressngStressors',
            },
    },
  ],
  IOChaos: [ioField('delay'), ioField('errno'), ioField('attr'), ioField('mistake')],
  TimeChaos: [],
  HTTPChaos: [
    httpSide(['code'], 'Response', (s) => s.code, 'only a response has a status code'),
    httpSide(['response_headers'], 'Response', (s) => s.response_headers, 'only a response has them'),
    httpSide(['replace', 'code'], 'Response', (s) => s.replace?.code, 'only a response has a status code'),
    httpSide(['replace', 'path'], 'Request', (s) => s.replace?.path, 'only a request has a path'),
    httpSide(['replace', 'method'], 'Request', (s) => s.replace?.method, 'only a request has a method'),
    httpSide(['replace', 'queries'], 'Request', (s) => s.replace?.queries, 'only a request has a query'),
    httpSide(['patch', 'queries'], 'Request', (s) => s.patch?.queries, 'only a request has a query'),
  ],
  DNSChaos: [],
};

const STATUS_CHECK_RULES: readonly Rule<StatusCheckSpec>[] = [
  {
    field: 'StatusCheck.http.body',
    treatment: 'warn',
    find: (s) =>
      s.http?.body === undefined || (s.http.method ?? 'GET') !== 'GET'
        ? undefined
        : {
            path: ['http', 'body'],
            message: 'body is not sent with method GET',
            fix: 'set method: POST to send it, or remove body',
          },
  },
];

const annotation = (name: string): readonly string[] => ['metadata', 'annotations', name];

const METADATA_RULES: readonly Rule<Manifest>[] = [
  {
    field: `metadata.annotations.${CHAOS_MESH_PAUSE_ANNOTATION}`,
    treatment: 'reject',
    find: (m) =>
      m.kind === 'Workflow' ||
      m.kind === 'Schedule' ||
      m.metadata.annotations?.[CHAOS_MESH_PAUSE_ANNOTATION] !== 'true'
        ? undefined
        : {
            path: annotation(CHAOS_MESH_PAUSE_ANNOTATION),
            message:
              'Chaos Mesh would not inject a paused chaos, but chaosflow would inject it at once: a run cannot start paused',
            fix: 'remove the annotation; pause a running run with chaosflow pause RUN',
          },
  },
  {
    field: `metadata.annotations.${CHAOS_MESH_PAUSE_ANNOTATION} (Schedule)`,
    treatment: 'warn',
    find: (m) =>
      m.kind !== 'Schedule' ||
      m.spec.suspend !== false ||
      m.metadata.annotations?.[CHAOS_MESH_PAUSE_ANNOTATION] !== 'true'
        ? undefined
        : {
            path: annotation(CHAOS_MESH_PAUSE_ANNOTATION),
            message: 'the pause annotation is not used: suspend: false overrides it',
            fix: 'keep only one of the annotation and suspend',
          },
  },
  {
    field: `metadata.annotations.${CHAOS_MESH_PAUSE_ANNOTATION} (Workflow)`,
    treatment: 'warn',
    find: (m) =>
      m.kind !== 'Workflow' || m.metadata.annotations?.[CHAOS_MESH_PAUSE_ANNOTATION] !== 'true'
        ? undefined
        : {
            path: annotation(CHAOS_MESH_PAUSE_ANNOTATION),
            message: 'the pause annotation does not pause a Workflow: the run starts at once',
            fix: 'remove the annotation; pause a running run with chaosflow pause RUN',
          },
  },
  {
    field: `metadata.annotations.${CHAOS_MESH_ABORT_ANNOTATION}`,
    treatment: 'reject',
    find: (m) =>
      m.kind !== 'Workflow' || m.metadata.annotations?.[CHAOS_MESH_ABORT_ANNOTATION] !== 'true'
        ? undefined
        : {
            path: annotation(CHAOS_MESH_ABORT_ANNOTATION),
            message: 'Chaos Mesh would abort this Workflow, but chaosflow would run it',
            fix: 'remove the annotation; abort a running run with chaosflow abort RUN',
          },
  },
];

/** Every rule, as the table of schemas/README.md lists them. */
export const UNHONOURED_FIELDS: readonly { field: string; treatment: FieldTreatment }[] = [
  ...METADATA_RULES,
  ...Object.values(CHAOS_RULES).flat(),
  ...STATUS_CHECK_RULES,
].map(({ field, treatment }) => ({ field, treatment }));

/** `spec` is a schema-valid spec of `kind`. */
export function checkUnhonouredChaosFields(
  kind: ChaosKind,
  spec: object,
  base: string,
  issues: ManifestIssue[],
): void {
  apply(CHAOS_RULES[kind] as readonly Rule<object>[], spec, base, issues);
}

export function checkUnhonouredStatusCheckFields(
  spec: StatusCheckSpec,
  base: string,
  issues: ManifestIssue[],
): void {
  apply(STATUS_CHECK_RULES, spec, base, issues);
}

export function checkUnhonouredMetadata(manifest: Manifest, issues: ManifestIssue[]): void {
  apply(METADATA_RULES, manifest, '', issues);
}

function apply<S>(rules: readonly Rule<S>[], spec: S, base: string, issues: ManifestIssue[]): void {
  for (const rule of rules) {
    const found = rule.find(spec);
    if (!found) continue;
    const text = {
      pointer: joinPointer(base, ...found.path),
      at: 'key' as const,
      message: found.message,
      fix: found.fix,
    };
    issues.push(
      rule.treatment === 'reject'
        ? { code: 'FIELD_UNSUPPORTED', ...text }
        : { severity: 'warning', code: 'FIELD_IGNORED', ...text },
    );
  }
}
