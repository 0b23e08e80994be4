/**
 * What travels beside the messages: request metadata keys, the daemon's TLS server name and its port. Chaos
 * Mesh's controller and daemon use the same values.
 */

/** Request metadata key Chaos Mesh's controller sends (`<namespace>/<name>` of the chaos), used for logs. */
export const NAMESPACED_NAME_METADATA = 'namespaced-name';
/** Request metadata key with `<run>/<node>/<target>`: chaosflow's agent keys its journal and idempotency on it. */
export const FAULT_KEY_METADATA = 'chaosflow-fault-key';
/** The server name Chaos Mesh's daemon certificates carry; clients dialling by IP override the TLS name. */
export const CHAOS_DAEMON_TLS_SERVER_NAME = 'chaos-daemon.chaos-mesh.org';
/** The daemon's gRPC port in Chaos Mesh (and the chaosflow agent's default). */
export const CHAOS_DAEMON_PORT = 31767;
/**
 * Request metadata key (chaosflow's agent only): the lease of the fault this call applies, a Go duration from
 * 1s to 24h (`30s`, `5m`); without it the agent's `--lease`. Needs `chaosflow-fault-key`.
 */
export const LEASE_METADATA = 'chaosflow-lease';
/**
 * Response trailer key (chaosflow's agent only): a warning about the call that succeeded, such as a fault its
 * lease had already recovered, or drift left in the target after the last recover. One value per warning.
 */
export const WARNING_METADATA = 'chaosflow-warning';
