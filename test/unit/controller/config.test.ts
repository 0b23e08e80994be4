import { describe, expect, it } from 'vitest';
import { ControllerConfigError, parseControllerConfig } from '../../../controller/config.js';

describe('controller settings', () => {
  it('serves metrics only when asked, on the address given by flag or environment', () => {
    expect(parseControllerConfig({}, {}).metricsAddress).toBeUndefined();
    expect(parseControllerConfig({}, { CHAOSFLOW_METRICS_ADDRESS: '0.0.0.0:9464' }).metricsAddress).toEqual({
      host: '0.0.0.0',
      port: 9464,
    });
    expect(parseControllerConfig({ metricsAddress: '[::1]:9000' }, {}).metricsAddress).toEqual({
      host: '::1',
      port: 9000,
    });
    expect(() => parseControllerConfig({ metricsAddress: 'metrics' }, {})).toThrow(ControllerConfigError);
    expect(() => parseControllerConfig({ metricsAddress: 'metrics' }, {})).toThrow(
      /--metrics-address must be HOST:PORT/,
    );
  });
});
