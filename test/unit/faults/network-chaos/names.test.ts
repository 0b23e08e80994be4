/**
 * Chain and ipset names as Chaos Mesh generates them. Expectations follow `netutils.CompressName`,
 * `iptable.GenerateName` and `ipset.GenerateIPSetName`; the first two cases are the ones Chaos Mesh's own
 * `Test_compressName` pins, the rest were computed independently (Python hashlib) for the example names.
 */
import { describe, expect, it } from 'vitest';
import { chainName, compressName, ipsetName } from '../../../../activities/faults/network-chaos/names.js';

describe('Chaos Mesh names', () => {
  it('compresses long names to the requested length with a SHA-256 prefix, as Chaos Mesh pins it', () => {
    const long =
      'Running tool: /usr/bin/go test -timeout 30s github.com/chaos-mesh/chaos-mesh/controllers/networkchaos/netutils -run ^Test_compressName$';
    expect(compressName(long, 20, 'test')).toBe('Runni_292d1924b_test');
    expect(
      compressName(
        'test executed panic(nil) or runtime.Goexit: subtest may have called FailNow on a parent test',
        13,
        'test',
      ),
    ).toBe('test _90_test');
  });

  it('keeps names shorter than six characters whole', () => {
    expect(compressName('net', 27, 'set_tgt')).toBe('net_set_tgt');
    expect(chainName('OUTPUT', 'net')).toBe('OUTPUT/net_');
  });

  it('names the chains and ipsets of network-partition as Chaos Mesh does', () => {
    expect(chainName('OUTPUT', 'network-partition')).toBe('OUTPUT/netwo_d40842f1b40af_');
    expect(chainName('INPUT', 'network-partition')).toBe('INPUT/netwo_d40842f1b40af7_');
    expect(ipsetName('network-partition', 'net_tgt')).toBe('netwo_d40842f1b40af_net_tgt');
    expect(ipsetName('network-partition', 'netport_tgt')).toBe('netwo_d40842f1b_netport_tgt');
    expect(ipsetName('network-partition', 'set_src')).toBe('netwo_d40842f1b40af_set_src');
    expect(ipsetName('network-partition', 'netport_basrc')).toBe('netwo_d40842f_netport_basrc');
  });

  it('stays within the kernel limits: ipset names 31 characters, chain names 28', () => {
    const name = 'a-very-long-chaos-name-that-goes-on-and-on-for-a-while';
    for (const postfix of ['net_tgt', 'netport_tgt', 'set_tgt', 'netport_netgt', 'set_basrc']) {
      expect(ipsetName(name, postfix).length).toBeLessThanOrEqual(31);
    }
    expect(chainName('INPUT', name).length).toBeLessThanOrEqual(28);
    expect(chainName('OUTPUT', name).length).toBeLessThanOrEqual(28);
  });
});
