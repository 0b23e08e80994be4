/**
 * `--metrics-address HOST:PORT`, shared by the worker, the agent and the controller. Metrics are off unless it
 * is given; it is never defaulted to a wildcard address: `127.0.0.1:9464` keeps them on the host,
 * `0.0.0.0:9464` (as in deploy/) lets a Prometheus in the cluster scrape the pod. Port 0 picks a free one.
 */

export interface MetricsAddress {
  readonly host: string;
  readonly port: number;
}

/** The address, or undefined when `text` is not `host:port` / `[v6]:port` (the caller names the setting). */
export function parseMetricsAddress(text: string): MetricsAddress | undefined {
  const match = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]\s]+)):(\d{1,5})$/.exec(text);
  const host = match?.[1] ?? match?.[2];
  const port = Number(match?.[3]);
  if (!match || host === undefined || port > 65535) return undefined;
  return Object.freeze({ host, port });
}

export const METRICS_ADDRESS_HINT =
  'must be HOST:PORT, such as 127.0.0.1:9464 (this host only) or 0.0.0.0:9464 (in a pod)';
