import type { PeerCertificate } from 'node:tls';
import { describe, expect, it } from 'vitest';
import type { AgentError } from '../../../agent/agent-error.js';
import { certificateNames, checkClient, type ClientAccess } from '../../../agent/client-identity.js';

const CLIENT_AUTH = '1.3.6.1.5.5.7.3.2';
const SERVER_AUTH = '1.3.6.1.5.5.7.3.1';

function peer(cert: Partial<PeerCertificate> | undefined) {
  return {
    getAuthContext: () =>
      cert
        ? {
            transportSecurityType: 'ssl',
            sslPeerCertificate: { raw: Buffer.from([1]), ...cert } as PeerCertificate,
          }
        : {},
  };
}

function refusal(access: ClientAccess, cert: Partial<PeerCertificate> | undefined): AgentError | undefined {
  try {
    checkClient(access, peer(cert));
    return undefined;
  } catch (err) {
    return err as AgentError;
  }
}

const named: ClientAccess = { kind: 'named', names: ['chaosflow-worker'] };

describe('client identity', () => {
  it('reads the CN and the DNS names of a certificate, not its IP addresses', () => {
    expect(
      certificateNames({
        subject: { CN: 'a' } as PeerCertificate['subject'],
        subjectaltname: 'DNS:b.example, IP Address:127.0.0.1, DNS:c',
      }),
    ).toEqual(['a', 'b.example', 'c']);
  });

  it('serves a client named by its CN or a DNS name, in any case, meant for clients', () => {
    expect(
      refusal(named, { subject: { CN: 'chaosflow-worker' } as never, ext_key_usage: [CLIENT_AUTH] }),
    ).toBeUndefined();
    expect(
      refusal(named, { subject: { CN: 'x' } as never, subjectaltname: 'DNS:ChaosFlow-Worker' }),
    ).toBeUndefined();
  });

  it('refuses another name with PERMISSION_DENIED naming it and the flag that admits it', () => {
    const error = refusal(named, {
      subject: { CN: 'intruder' } as never,
      subjectaltname: 'DNS:intruder.example',
    });
    expect(error?.code).toBe('PERMISSION_DENIED');
    expect(error?.message).toContain('"intruder", "intruder.example"');
    expect(error?.message).toContain('allowed: chaosflow-worker');
    expect(error?.message).toContain('--allow-client NAME');
  });

  it('refuses a server certificate even when its name is allowed', () => {
    const error = refusal(named, {
      subject: { CN: 'chaosflow-worker' } as never,
      ext_key_usage: [SERVER_AUTH],
    });
    expect(error?.code).toBe('PERMISSION_DENIED');
    expect(error?.message).toContain('lacks clientAuth');
  });

  it('refuses a call without a certificate as UNAUTHENTICATED, and lets anyone in only in plaintext mode', () => {
    expect(refusal(named, undefined)?.code).toBe('UNAUTHENTICATED');
    expect(refusal({ kind: 'anyone' }, undefined)).toBeUndefined();
  });
});
