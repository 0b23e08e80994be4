import { describe, expect, it } from 'vitest';
import {
  checkChainName,
  checkCidr,
  checkDevice,
  checkPortList,
  checkProtocol,
  checkRate,
  checkSetName,
  checkTcpFlags,
} from '../../../agent/request-validation.js';

const hostile = ['; rm -rf /', '$(touch x)', '`id`', 'a\nb', '-j ACCEPT', '', 'a b'];

describe('request validation', () => {
  it("accepts Chaos Mesh's names and values", () => {
    expect(checkChainName('f', 'INPUT/netwo_8d1f9d6e0b2c4d_')).toBe('INPUT/netwo_8d1f9d6e0b2c4d_');
    expect(checkSetName('f', 'netwo_8d1f9d6e0b2c4d_tgt')).toBe('netwo_8d1f9d6e0b2c4d_tgt');
    expect(checkDevice('f', 'eth0')).toBe('eth0');
    expect(checkCidr('f', '10.0.0.0/8')).toBe('10.0.0.0/8');
    expect(checkCidr('f', '192.168.1.7')).toBe('192.168.1.7');
    expect(checkPortList('f', '80,443,1000:2000')).toEqual(['80', '443', '1000:2000']);
    expect(checkProtocol('f', 'TCP')).toBe('tcp');
    expect(checkRate('f', '1mbps')).toBe('1mbps');
    expect(checkTcpFlags('f', 'SYN,ACK SYN')).toEqual(['SYN,ACK', 'SYN']);
  });

  it('refuses reserved and over-long chain names', () => {
    for (const name of ['INPUT', 'CHAOS-OUTPUT', 'CHAOSFLOW-TC', `INPUT/${'x'.repeat(23)}`, ...hostile]) {
      expect(() => checkChainName('chains[0].name', name), name).toThrow(/chains\[0\].name .* is not valid/);
    }
  });

  it("takes only chains with Chaos Mesh's prefixes or chaosflow's own", () => {
    for (const name of ['INPUT/a', 'OUTPUT/netwo_8d1f9d6e0b2c4d', 'CHAOSFLOW/x']) {
      expect(checkChainName('f', name)).toBe(name);
    }
    for (const name of [
      'DOCKER-USER',
      'f2b-sshd',
      'KUBE-SERVICES',
      'FORWARD/x',
      'input/x',
      'INPUT/',
      'INPUTx/y',
    ]) {
      expect(() => checkChainName('chains[0].name', name), name).toThrow(
        /only chains named INPUT\/<name>, OUTPUT\/<name>, CHAOSFLOW\/<name> may be set/,
      );
    }
  });

  it('refuses anything but a plain value everywhere', () => {
    for (const value of hostile) {
      expect(() => checkSetName('f', value), value).toThrow();
      expect(() => checkDevice('f', value), value).toThrow();
      expect(() => checkCidr('f', value), value).toThrow();
      expect(() => checkPortList('f', value), value).toThrow();
      expect(() => checkProtocol('f', value), value).toThrow();
      expect(() => checkRate('f', value), value).toThrow();
      expect(() => checkTcpFlags('f', value), value).toThrow();
    }
  });

  it('refuses IPv6, bad prefixes, ports above 65535 and too long device names', () => {
    expect(() => checkCidr('f', 'fd00::1/64')).toThrow(/IPv6 is not supported/);
    expect(() => checkCidr('f', '10.0.0.0/33')).toThrow();
    expect(() => checkCidr('f', '10.0.0.256')).toThrow();
    expect(() => checkPortList('f', '70000')).toThrow();
    expect(() => checkDevice('f', 'a-very-long-device0')).toThrow();
  });
});
