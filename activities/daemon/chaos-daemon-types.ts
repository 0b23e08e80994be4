/**
 * Typed messages and RPCs of the Chaos Daemon gRPC service (`proto/chaosdaemon.proto`, Chaos Mesh v2.8 wire
 * format). Shapes follow the proto-loader options in `chaos-daemon-proto.ts`:
 * - field names exactly as in the proto (`keepCase`), so `container_id` next to `enterNS`;
 * - enums as their names (`'INPUT'`, `'BANDWIDTH'`);
 * - 64-bit integers (`int64`, `uint64`) as decimal strings in both directions (`longs: String`), because a
 *   uint64 such as `clk_ids_mask` or `peak_rate` does not fit a JS number; use `String(n)` to send one;
 * - decoded messages carry every field (`defaults: true`), so a receiver sees `''`, `0`, `false` or `[]` for
 *   fields the sender left out, exactly like Go's generated code.
 *
 * The interfaces below are the decoded shape (what a server receives, what a client gets back). Requests are
 * built as `DaemonInput<T>`: every field optional, as proto3 allows.
 */

/** A 64-bit integer as a decimal string (proto-loader `longs: String`). */
export type Int64 = string;

/** What a sender may build for message `T`: every field optional (proto3), nested messages likewise. */
export type DaemonInput<T> = T extends readonly (infer U)[]
  ? readonly DaemonInput<U>[]
  : T extends object
    ? { readonly [K in keyof T]?: DaemonInput<T[K]> }
    : T;

// Kept as an interface so it is a named type in signatures; google.protobuf.Empty has no fields.
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface Empty {}

export interface TcHandle {
  major: number;
  minor: number;
}

export type ContainerActionKind = 'KILL' | 'GETPID';

export interface ContainerAction {
  action: ContainerActionKind;
}

export interface ContainerRequest {
  action: ContainerAction | null;
  container_id: string;
}

export interface ContainerResponse {
  pid: number;
}

export interface Netem {
  /** A Go duration string since v2.8.0, e.g. `"90ms"`. */
  time: string;
  jitter: string;
  delay_corr: number;
  limit: number;
  /** Percent: 25 means 25%. */
  loss: number;
  loss_corr: number;
  gap: number;
  duplicate: number;
  duplicate_corr: number;
  reorder: number;
  reorder_corr: number;
  corrupt: number;
  corrupt_corr: number;
  parent: TcHandle | null;
  handle: TcHandle | null;
  rate: string;
}

export interface Tbf {
  /** A tc rate such as `"1mbps"` or `"8mbit"`. */
  rate: string;
  limit: number;
  buffer: number;
  peak_rate: Int64;
  min_burst: number;
}

export type TcType = 'NETEM' | 'BANDWIDTH';

export interface Tc {
  type: TcType;
  netem: Netem | null;
  tbf: Tbf | null;
  ipset: string;
  protocol: string;
  /** Empty means `eth0`. */
  device: string;
}

export interface TcsRequest {
  tcs: Tc[];
  container_id: string;
  enterNS: boolean;
  pod_uid: string;
}

export type IPSetType = 'hash:net' | 'hash:net,port' | 'list:set';

export interface CidrAndPort {
  cidr: string;
  port: number;
}

export interface IPSet {
  name: string;
  cidrs: string[];
  cidr_and_ports: CidrAndPort[];
  set_names: string[];
  /** `hash:net`, `hash:net,port` or `list:set`; empty is treated as `hash:net` (older controllers). */
  type: string;
}

export interface IPSetsRequest {
  ipsets: IPSet[];
  container_id: string;
  enterNS: boolean;
  pod_uid: string;
}

export type ChainDirection = 'INPUT' | 'OUTPUT';

export interface Chain {
  name: string;
  direction: ChainDirection;
  ipsets: string[];
  /** Chaos Mesh's controller sends `DROP`. */
  target: string;
  protocol: string;
  source_ports: string;
  destination_ports: string;
  tcp_flags: string;
  device: string;
}

export interface IptablesChainsRequest {
  chains: Chain[];
  container_id: string;
  enterNS: boolean;
  pod_uid: string;
}

export interface TimeRequest {
  container_id: string;
  sec: Int64;
  nsec: Int64;
  clk_ids_mask: Int64;
  uid: string;
  pod_container_name: string;
}

export type ExecStressScope = 'CONTAINER' | 'POD';

export interface ExecStressRequest {
  scope: ExecStressScope;
  /** The container id. */
  target: string;
  cpuStressors: string;
  enterNS: boolean;
  memoryStressors: string;
  oomScoreAdj: number;
}

export interface ExecStressResponse {
  cpuInstance: string;
  /** Start time of the process in ms since the epoch. */
  cpuStartTime: Int64;
  memoryInstance: string;
  memoryStartTime: Int64;
  cpuInstanceUid: string;
  memoryInstanceUid: string;
}

export type CancelStressRequest = ExecStressResponse;

export interface ApplyIOChaosRequest {
  /** JSON. */
  actions: string;
  volume: string;
  container_id: string;
  instance: Int64;
  startTime: Int64;
  enterNS: boolean;
  instance_uid: string;
}

export interface ApplyIOChaosResponse {
  instance: Int64;
  startTime: Int64;
  instance_uid: string;
}

export interface ApplyHttpChaosRequest {
  /** JSON. */
  rules: string;
  proxy_ports: number[];
  container_id: string;
  instance: Int64;
  startTime: Int64;
  enterNS: boolean;
  instance_uid: string;
  /** JSON. */
  tls: string;
}

export interface ApplyHttpChaosResponse {
  instance: Int64;
  startTime: Int64;
  statusCode: number;
  error: string;
  instance_uid: string;
}

export interface SetDNSServerRequest {
  container_id: string;
  dns_server: string;
  enable: boolean;
  enterNS: boolean;
}

export interface InstallJVMRulesRequest {
  container_id: string;
  rule: string;
  port: number;
  enterNS: boolean;
}

export type UninstallJVMRulesRequest = InstallJVMRulesRequest;

export interface BlockDelaySpec {
  delay: Int64;
  correlation: number;
  jitter: Int64;
}

export type BlockChaosAction = 'Delay';

export interface ApplyBlockChaosRequest {
  container_id: string;
  volume_path: string;
  action: BlockChaosAction;
  delay: BlockDelaySpec | null;
  enterNS: boolean;
}

export interface ApplyBlockChaosResponse {
  injection_id: number;
}

export interface RecoverBlockChaosRequest {
  injection_id: number;
}

/** Every RPC of `pb.ChaosDaemon` with its request and response message. */
export interface ChaosDaemonRpcs {
  SetTcs: { request: TcsRequest; response: Empty };
  FlushIPSets: { request: IPSetsRequest; response: Empty };
  SetIptablesChains: { request: IptablesChainsRequest; response: Empty };
  SetTimeOffset: { request: TimeRequest; response: Empty };
  RecoverTimeOffset: { request: TimeRequest; response: Empty };
  ContainerKill: { request: ContainerRequest; response: Empty };
  ContainerGetPid: { request: ContainerRequest; response: ContainerResponse };
  ExecStressors: { request: ExecStressRequest; response: ExecStressResponse };
  CancelStressors: { request: CancelStressRequest; response: Empty };
  ApplyIOChaos: { request: ApplyIOChaosRequest; response: ApplyIOChaosResponse };
  ApplyHttpChaos: { request: ApplyHttpChaosRequest; response: ApplyHttpChaosResponse };
  SetDNSServer: { request: SetDNSServerRequest; response: Empty };
  InstallJVMRules: { request: InstallJVMRulesRequest; response: Empty };
  UninstallJVMRules: { request: UninstallJVMRulesRequest; response: Empty };
  ApplyBlockChaos: { request: ApplyBlockChaosRequest; response: ApplyBlockChaosResponse };
  RecoverBlockChaos: { request: RecoverBlockChaosRequest; response: Empty };
}

export type ChaosDaemonRpc = keyof ChaosDaemonRpcs;
export type DaemonRequest<R extends ChaosDaemonRpc> = ChaosDaemonRpcs[R]['request'];
export type DaemonResponse<R extends ChaosDaemonRpc> = ChaosDaemonRpcs[R]['response'];

/** The 16 RPC names in proto order. */
export const CHAOS_DAEMON_RPCS = [
  'SetTcs',
  'FlushIPSets',
  'SetIptablesChains',
  'SetTimeOffset',
  'RecoverTimeOffset',
  'ContainerKill',
  'ContainerGetPid',
  'ExecStressors',
  'CancelStressors',
  'ApplyIOChaos',
  'ApplyHttpChaos',
  'SetDNSServer',
  'InstallJVMRules',
  'UninstallJVMRules',
  'ApplyBlockChaos',
  'RecoverBlockChaos',
] as const satisfies readonly ChaosDaemonRpc[];

/** Request metadata key Chaos Mesh's controller sends (`<namespace>/<name>` of the chaos), used for logs. */
export const NAMESPACED_NAME_METADATA = 'namespaced-name';
/** Request metadata key with `<run>/<node>/<target>`: chaosflow's agent keys its journal and idempotency on it. */
export const FAULT_KEY_METADATA = 'chaosflow-fault-key';
/** The server name Chaos Mesh's daemon certificates carry; clients dialling by IP override the TLS name. */
export const CHAOS_DAEMON_TLS_SERVER_NAME = 'chaos-daemon.chaos-mesh.org';
/** The daemon's gRPC port in Chaos Mesh (and the chaosflow agent's default). */
export const CHAOS_DAEMON_PORT = 31767;
