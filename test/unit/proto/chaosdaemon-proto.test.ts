/**
 * Checks `proto/chaosdaemon.proto`, as loaded by proto-loader, against the Chaos Daemon API table of
 * Chaos Mesh v2.8's daemon proto (after v2.8.3; `pkg/chaosdaemon/pb/chaosdaemon.proto`), field by field and both ways.
 * The expected tables below are transcribed from the reference by hand; do not generate them from the proto.
 */
import { describe, expect, it } from 'vitest';
import { chaosDaemonProto } from '../../../proto/chaos-daemon-proto.js';
import { CHAOS_DAEMON_RPCS } from '../../../proto/chaos-daemon-rpcs.js';

/** [number, name, type, repeated?]; message and enum types by their name inside package pb. */
type Field = readonly [number, string, string, boolean?];

const MESSAGES: Record<string, readonly Field[]> = {
  TcHandle: [
    [1, 'major', 'uint32'],
    [2, 'minor', 'uint32'],
  ],
  ContainerRequest: [
    [1, 'action', 'ContainerAction'],
    [2, 'container_id', 'string'],
  ],
  ContainerResponse: [[1, 'pid', 'uint32']],
  ContainerAction: [[1, 'action', 'ContainerAction.Action']],
  Netem: [
    [1, 'time', 'string'],
    [2, 'jitter', 'string'],
    [3, 'delay_corr', 'float'],
    [4, 'limit', 'uint32'],
    [5, 'loss', 'float'],
    [6, 'loss_corr', 'float'],
    [7, 'gap', 'uint32'],
    [8, 'duplicate', 'float'],
    [9, 'duplicate_corr', 'float'],
    [10, 'reorder', 'float'],
    [11, 'reorder_corr', 'float'],
    [12, 'corrupt', 'float'],
    [13, 'corrupt_corr', 'float'],
    [14, 'parent', 'TcHandle'],
    [15, 'handle', 'TcHandle'],
    [16, 'rate', 'string'],
  ],
  Tbf: [
    [1, 'rate', 'string'],
    [2, 'limit', 'uint32'],
    [3, 'buffer', 'uint32'],
    [4, 'peak_rate', 'uint64'],
    [5, 'min_burst', 'uint32'],
  ],
  Tc: [
    [1, 'type', 'Tc.Type'],
    [2, 'netem', 'Netem'],
    [3, 'tbf', 'Tbf'],
    [4, 'ipset', 'string'],
    [5, 'protocol', 'string'],
    [9, 'device', 'string'],
  ],
  TcsRequest: [
    [1, 'tcs', 'Tc', true],
    [2, 'container_id', 'string'],
    [4, 'enterNS', 'bool'],
    [5, 'pod_uid', 'string'],
  ],
  IPSet: [
    [1, 'name', 'string'],
    [2, 'cidrs', 'string', true],
    [3, 'cidr_and_ports', 'CidrAndPort', true],
    [4, 'set_names', 'string', true],
    [5, 'type', 'string'],
  ],
  CidrAndPort: [
    [1, 'cidr', 'string'],
    [2, 'port', 'uint32'],
  ],
  IPSetsRequest: [
    [1, 'ipsets', 'IPSet', true],
    [2, 'container_id', 'string'],
    [3, 'enterNS', 'bool'],
    [4, 'pod_uid', 'string'],
  ],
  Chain: [
    [1, 'name', 'string'],
    [2, 'direction', 'Chain.Direction'],
    [3, 'ipsets', 'string', true],
    [4, 'target', 'string'],
    [5, 'protocol', 'string'],
    [6, 'source_ports', 'string'],
    [7, 'destination_ports', 'string'],
    [8, 'tcp_flags', 'string'],
    [9, 'device', 'string'],
  ],
  IptablesChainsRequest: [
    [1, 'chains', 'Chain', true],
    [2, 'container_id', 'string'],
    [3, 'enterNS', 'bool'],
    [4, 'pod_uid', 'string'],
  ],
  TimeRequest: [
    [1, 'container_id', 'string'],
    [2, 'sec', 'int64'],
    [3, 'nsec', 'int64'],
    [4, 'clk_ids_mask', 'uint64'],
    [5, 'uid', 'string'],
    [6, 'pod_container_name', 'string'],
  ],
  ExecStressRequest: [
    [1, 'scope', 'ExecStressRequest.Scope'],
    [2, 'target', 'string'],
    [3, 'cpuStressors', 'string'],
    [4, 'enterNS', 'bool'],
    [5, 'memoryStressors', 'string'],
    [7, 'oomScoreAdj', 'int32'],
  ],
  ExecStressResponse: [
    [1, 'cpuInstance', 'string'],
    [2, 'cpuStartTime', 'int64'],
    [3, 'memoryInstance', 'string'],
    [4, 'memoryStartTime', 'int64'],
    [5, 'cpuInstanceUid', 'string'],
    [6, 'memoryInstanceUid', 'string'],
  ],
  CancelStressRequest: [
    [1, 'cpuInstance', 'string'],
    [2, 'cpuStartTime', 'int64'],
    [3, 'memoryInstance', 'string'],
    [4, 'memoryStartTime', 'int64'],
    [5, 'cpuInstanceUid', 'string'],
    [6, 'memoryInstanceUid', 'string'],
  ],
  ApplyIOChaosRequest: [
    [1, 'actions', 'string'],
    [2, 'volume', 'string'],
    [3, 'container_id', 'string'],
    [4, 'instance', 'int64'],
    [5, 'startTime', 'int64'],
    [6, 'enterNS', 'bool'],
    [7, 'instance_uid', 'string'],
  ],
  ApplyIOChaosResponse: [
    [1, 'instance', 'int64'],
    [2, 'startTime', 'int64'],
    [3, 'instance_uid', 'string'],
  ],
  ApplyHttpChaosRequest: [
    [1, 'rules', 'string'],
    [2, 'proxy_ports', 'uint32', true],
    [3, 'container_id', 'string'],
    [4, 'instance', 'int64'],
    [5, 'startTime', 'int64'],
    [6, 'enterNS', 'bool'],
    [7, 'instance_uid', 'string'],
    [8, 'tls', 'string'],
  ],
  ApplyHttpChaosResponse: [
    [1, 'instance', 'int64'],
    [2, 'startTime', 'int64'],
    [3, 'statusCode', 'int32'],
    [4, 'error', 'string'],
    [5, 'instance_uid', 'string'],
  ],
  SetDNSServerRequest: [
    [1, 'container_id', 'string'],
    [2, 'dns_server', 'string'],
    [3, 'enable', 'bool'],
    [4, 'enterNS', 'bool'],
  ],
  InstallJVMRulesRequest: [
    [1, 'container_id', 'string'],
    [2, 'rule', 'string'],
    [3, 'port', 'int32'],
    [4, 'enterNS', 'bool'],
  ],
  UninstallJVMRulesRequest: [
    [1, 'container_id', 'string'],
    [2, 'rule', 'string'],
    [3, 'port', 'int32'],
    [4, 'enterNS', 'bool'],
  ],
  ApplyBlockChaosRequest: [
    [1, 'container_id', 'string'],
    [2, 'volume_path', 'string'],
    [3, 'action', 'ApplyBlockChaosRequest.Action'],
    [5, 'delay', 'BlockDelaySpec'],
    [6, 'enterNS', 'bool'],
  ],
  BlockDelaySpec: [
    [1, 'delay', 'int64'],
    [2, 'correlation', 'double'],
    [3, 'jitter', 'int64'],
  ],
  BlockLimitSpec: [
    [1, 'quota', 'uint64'],
    [2, 'period_us', 'uint64'],
  ],
  ApplyBlockChaosResponse: [[1, 'injection_id', 'int32']],
  RecoverBlockChaosRequest: [[1, 'injection_id', 'int32']],
  // Defined but unused by the service.
  NetemRequest: [
    [1, 'netem', 'Netem'],
    [2, 'container_id', 'string'],
    [3, 'handle', 'TcHandle'],
    [4, 'parent', 'TcHandle'],
  ],
  TbfRequest: [
    [1, 'tbf', 'Tbf'],
    [2, 'container_id', 'string'],
  ],
  QdiscRequest: [
    [1, 'qdisc', 'Qdisc'],
    [2, 'container_id', 'string'],
  ],
  Qdisc: [
    [1, 'parent', 'TcHandle'],
    [2, 'handle', 'TcHandle'],
    [3, 'type', 'string'],
    [4, 'args', 'string', true],
  ],
  EmatchFilterRequest: [
    [1, 'filter', 'EmatchFilter'],
    [2, 'container_id', 'string'],
  ],
  EmatchFilter: [
    [1, 'match', 'string'],
    [2, 'parent', 'TcHandle'],
    [3, 'classid', 'TcHandle'],
  ],
  TcFilterRequest: [
    [1, 'filter', 'TcFilter'],
    [2, 'container_id', 'string'],
  ],
  TcFilter: [[1, 'parent', 'TcHandle']],
};

const ENUMS: Record<string, Record<string, number>> = {
  'ContainerAction.Action': { KILL: 0, GETPID: 1 },
  'Tc.Type': { NETEM: 0, BANDWIDTH: 1 },
  'Chain.Direction': { INPUT: 0, OUTPUT: 1 },
  'ExecStressRequest.Scope': { CONTAINER: 0, POD: 1 },
  'ApplyBlockChaosRequest.Action': { Delay: 0 },
};

const RPCS: Record<string, readonly [string, string]> = {
  SetTcs: ['TcsRequest', 'google.protobuf.Empty'],
  FlushIPSets: ['IPSetsRequest', 'google.protobuf.Empty'],
  SetIptablesChains: ['IptablesChainsRequest', 'google.protobuf.Empty'],
  SetTimeOffset: ['TimeRequest', 'google.protobuf.Empty'],
  RecoverTimeOffset: ['TimeRequest', 'google.protobuf.Empty'],
  ContainerKill: ['ContainerRequest', 'google.protobuf.Empty'],
  ContainerGetPid: ['ContainerRequest', 'ContainerResponse'],
  ExecStressors: ['ExecStressRequest', 'ExecStressResponse'],
  CancelStressors: ['CancelStressRequest', 'google.protobuf.Empty'],
  ApplyIOChaos: ['ApplyIOChaosRequest', 'ApplyIOChaosResponse'],
  ApplyHttpChaos: ['ApplyHttpChaosRequest', 'ApplyHttpChaosResponse'],
  SetDNSServer: ['SetDNSServerRequest', 'google.protobuf.Empty'],
  InstallJVMRules: ['InstallJVMRulesRequest', 'google.protobuf.Empty'],
  UninstallJVMRules: ['UninstallJVMRulesRequest', 'google.protobuf.Empty'],
  ApplyBlockChaos: ['ApplyBlockChaosRequest', 'ApplyBlockChaosResponse'],
  RecoverBlockChaos: ['RecoverBlockChaosRequest', 'google.protobuf.Empty'],
};

// The subset of google.protobuf.DescriptorProto that proto-loader exposes and this test reads.
interface FieldDescriptor {
  name: string;
  number: number;
  label: string;
  type: string;
  typeName: string;
}
interface EnumDescriptor {
  name: string;
  value: { name: string; number: number }[];
}
interface MessageDescriptor {
  name: string;
  field: FieldDescriptor[];
  enumType: EnumDescriptor[];
  reservedRange: { start: number; end: number }[];
  reservedName: string[];
}

/** The part of proto-loader's method definition this test reads. */
interface LoaderMethod {
  requestType: { type: { name: string } };
  responseType: { type: { name: string } };
}

const proto = chaosDaemonProto();
const definition = proto.packageDefinition;

function message(name: string): MessageDescriptor {
  const entry = definition[`pb.${name}`] as { type?: MessageDescriptor } | undefined;
  if (!entry?.type) throw new Error(`pb.${name} is not a message of the loaded proto`);
  return entry.type;
}

/** `TYPE_STRING` -> `string`; message and enum fields -> their name in package pb (`Chain.Direction`). */
function typeOf(owner: MessageDescriptor, field: FieldDescriptor): string {
  if (field.type !== 'TYPE_MESSAGE' && field.type !== 'TYPE_ENUM') {
    return field.type.replace(/^TYPE_/, '').toLowerCase();
  }
  const bare = field.typeName.replace(/^\.?pb\./, '');
  return owner.enumType.some((e) => e.name === bare) ? `${owner.name}.${bare}` : bare;
}

function actualFields(name: string): Field[] {
  const descriptor = message(name);
  return descriptor.field.map((f) =>
    f.label === 'LABEL_REPEATED'
      ? ([f.number, f.name, typeOf(descriptor, f), true] as const)
      : ([f.number, f.name, typeOf(descriptor, f)] as const),
  );
}

function byNumber(fields: readonly Field[]): Field[] {
  return [...fields].sort((a, b) => a[0] - b[0]);
}

describe('proto/chaosdaemon.proto', () => {
  it('defines exactly the messages of the reference, in package pb', () => {
    const loaded = Object.keys(definition)
      .filter((key) => key.startsWith('pb.') && key !== 'pb.ChaosDaemon')
      .map((key) => key.slice('pb.'.length));
    expect(loaded.sort()).toEqual(Object.keys(MESSAGES).sort());
  });

  for (const [name, expected] of Object.entries(MESSAGES)) {
    it(`gives ${name} exactly the reference fields (number, name, type, repeated)`, () => {
      expect(byNumber(actualFields(name))).toEqual(byNumber(expected));
    });
  }

  it('defines every nested enum with the reference values, and no other enum', () => {
    const loaded: Record<string, Record<string, number>> = {};
    for (const name of Object.keys(MESSAGES)) {
      for (const e of message(name).enumType) {
        loaded[`${name}.${e.name}`] = Object.fromEntries(e.value.map((v) => [v.name, v.number]));
      }
    }
    expect(loaded).toEqual(ENUMS);
  });

  it('reserves Tc fields 6 and 7 (source_port, egress_port before v2.8.3)', () => {
    const tc = message('Tc');
    const reserved = tc.reservedRange.flatMap((r) => {
      const numbers: number[] = [];
      for (let n = r.start; n <= Math.max(r.start, r.end - 1); n++) numbers.push(n);
      return numbers;
    });
    expect(reserved.sort()).toEqual([6, 7]);
    expect([...tc.reservedName].sort()).toEqual(['egress_port', 'source_port']);
  });

  it('serves the 16 RPCs of service pb.ChaosDaemon with the reference request and response types', () => {
    const service = proto.service;
    expect(Object.keys(service).sort()).toEqual(Object.keys(RPCS).sort());
    expect([...CHAOS_DAEMON_RPCS].sort()).toEqual(Object.keys(RPCS).sort());
    for (const [rpc, [request, response]] of Object.entries(RPCS)) {
      const method = service[rpc];
      expect(method?.path, rpc).toBe(`/pb.ChaosDaemon/${rpc}`);
      expect(method?.requestStream, rpc).toBe(false);
      expect(method?.responseStream, rpc).toBe(false);
      const described = (definition['pb.ChaosDaemon'] as unknown as Record<string, LoaderMethod>)[rpc];
      const requestName = described?.requestType.type.name;
      const responseName = described?.responseType.type.name;
      expect(requestName, rpc).toBe(request);
      expect(responseName, rpc).toBe(response.replace('google.protobuf.', ''));
    }
    expect(definition['google.protobuf.Empty']).toBeDefined();
  });

  it('round-trips 64-bit integers as decimal strings and enums as names', () => {
    const execStress = proto.service['CancelStressors'];
    const timeMethod = proto.service['SetTimeOffset'];
    if (!execStress || !timeMethod) throw new Error('service methods missing');
    const wire = timeMethod.requestSerialize({
      container_id: 'pid://1',
      clk_ids_mask: '18446744073709551615',
    });
    const decoded = timeMethod.requestDeserialize(wire) as unknown as Record<string, unknown>;
    expect(decoded['clk_ids_mask']).toBe('18446744073709551615');
    expect(decoded['sec']).toBe('0');
    const chains = proto.service['SetIptablesChains'];
    if (!chains) throw new Error('SetIptablesChains missing');
    const chainWire = chains.requestSerialize({ chains: [{ name: 'X', direction: 'OUTPUT' }] });
    const chainDecoded = chains.requestDeserialize(chainWire) as { chains: { direction: string }[] };
    expect(chainDecoded.chains[0]?.direction).toBe('OUTPUT');
  });
});
