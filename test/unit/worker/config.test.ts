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
});
