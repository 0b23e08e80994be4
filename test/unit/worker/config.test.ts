import { describe, expect, it } from 'vitest';
import { parseWorkerConfig, WorkerConfigError } from '../../../worker/config.js';

describe('worker settings', () => {
  it('serves one cluster when given --cluster or CHAOSFLOW_CLUSTER (the flag first), with no janitor scan', () => {
    expect(parseWorkerConfig({}, {}).cluster).toBeUndefined();
    expect(parseWorkerConfig({}, {}).janitorIntervalMs).toBe(5_000);
    expect(parseWorkerConfig({}, { CHAOSFLOW_CLUSTER: 'east-1' }).cluster).toBe('east-1');
    const flagged = parseWorkerConfig(
      { cluster: 'west', janitorInterval: '1000' },
      { CHAOSFLOW_CLUSTER: 'east' },
    );
    expect(flagged.cluster).toBe('west');
    expect(flagged.janitorIntervalMs).toBe(0);
  });

  it('refuses a cluster name that is not a DNS label, saying what one is', () => {
    for (const bad of ['East', 'a_b', '-a', 'a-', 'a.b', 'x'.repeat(64)]) {
      expect(() => parseWorkerConfig({ cluster: bad }, {})).toThrow(WorkerConfigError);
      expect(() => parseWorkerConfig({}, { CHAOSFLOW_CLUSTER: bad })).toThrow(
        /--cluster \(CHAOSFLOW_CLUSTER\): invalid cluster name '.*': a cluster name is a DNS label/,
      );
    }
  });

  it('takes the Prometheus URL from the flag, else the environment, normalised', () => {
    expect(parseWorkerConfig({}, {}).prometheusUrl).toBeUndefined();
    expect(parseWorkerConfig({}, { CHAOSFLOW_PROMETHEUS_URL: 'http://prom:9090' }).prometheusUrl).toBe(
      'http://prom:9090/',
    );
    expect(
      parseWorkerConfig(
        { prometheusUrl: 'https://a.example/prom/' },
        { CHAOSFLOW_PROMETHEUS_URL: 'http://b' },
      ).prometheusUrl,
    ).toBe('https://a.example/prom/');
  });

  it('refuses a Prometheus URL that is not http(s), naming the setting and the fix', () => {
    for (const bad of ['prom:9090', 'ftp://prom/', 'not a url']) {
      expect(() => parseWorkerConfig({ prometheusUrl: bad }, {})).toThrow(WorkerConfigError);
      expect(() => parseWorkerConfig({ prometheusUrl: bad }, {})).toThrow(
        /--prometheus-url must be an http\(s\) URL/,
      );
    }
  });

  it('serves metrics only when asked, on the address given by flag or environment', () => {
    expect(parseWorkerConfig({}, {}).metricsAddress).toBeUndefined();
    expect(parseWorkerConfig({}, { CHAOSFLOW_METRICS_ADDRESS: '0.0.0.0:9464' }).metricsAddress).toEqual({
      host: '0.0.0.0',
      port: 9464,
    });
    expect(
      parseWorkerConfig({ metricsAddress: '127.0.0.1:9000' }, { CHAOSFLOW_METRICS_ADDRESS: '0.0.0.0:9464' })
        .metricsAddress,
    ).toEqual({ host: '127.0.0.1', port: 9000 });
    expect(() => parseWorkerConfig({ metricsAddress: '9464' }, {})).toThrow(
      /--metrics-address must be HOST:PORT/,
    );
  });
});
