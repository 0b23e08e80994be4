import { describe, expect, it } from 'vitest';
import { parseWorkerConfig, WorkerConfigError } from '../../../worker/config.js';

describe('worker settings', () => {
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
