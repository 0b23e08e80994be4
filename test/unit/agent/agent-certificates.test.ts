import { X509Certificate, createPrivateKey } from 'node:crypto';
import { chmod, mkdtemp, readFile, rm, stat, unlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ensureAgentCertificates,
  GENERATED_CLIENT_NAME,
  GENERATED_SERVER_NAME,
} from '../../../agent/agent-certificates.js';
import { issueCertificate } from '../../../agent/x509-certificate.js';

describe('X.509 certificates written with Node crypto', () => {
  const notBefore = new Date('2026-01-01T00:00:00Z');
  const ca = issueCertificate({
    commonName: 'test-ca',
    isCa: true,
    notBefore,
    notAfter: new Date('2060-06-01Z'),
  });

  it('makes a self-signed CA that Node parses and verifies', () => {
    expect(ca.cert.ca).toBe(true);
    expect(ca.cert.subject).toBe('CN=test-ca');
    expect(ca.cert.verify(ca.cert.publicKey)).toBe(true);
    // 2060 needs GeneralizedTime; Node reads it back.
    expect(new Date(ca.cert.validTo).toISOString()).toBe('2060-06-01T00:00:00.000Z');
    expect(new Date(ca.cert.validFrom).toISOString()).toBe(notBefore.toISOString());
  });

  it('issues leaves signed by the CA with their names and usages', () => {
    const leaf = issueCertificate(
      {
        commonName: 'svc',
        altNames: ['svc.example', '127.0.0.1', '::1', 'fd00::12:1'],
        isCa: false,
        extendedKeyUsage: ['serverAuth', 'clientAuth'],
        notBefore,
        notAfter: new Date('2030-01-01Z'),
      },
      { cert: ca.cert, privateKey: ca.privateKey, commonName: 'test-ca' },
    );
    expect(leaf.cert.ca).toBe(false);
    expect(leaf.cert.issuer).toBe('CN=test-ca');
    expect(leaf.cert.checkIssued(ca.cert)).toBe(true);
    expect(leaf.cert.verify(ca.cert.publicKey)).toBe(true);
    expect(leaf.cert.verify(leaf.cert.publicKey)).toBe(false);
    expect(leaf.cert.subjectAltName).toBe(
      'DNS:svc.example, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1, IP Address:FD00:0:0:0:0:0:12:1',
    );
    expect(leaf.cert.keyUsage).toEqual(['1.3.6.1.5.5.7.3.1', '1.3.6.1.5.5.7.3.2']);
    expect(leaf.cert.checkHost('svc.example')).toBe('svc.example');
    expect(leaf.cert.checkPrivateKey(createPrivateKey(leaf.keyPem))).toBe(true);
  });
});

describe('the certificates the agent generates in its state dir', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'chaosflow-certs-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('makes a CA, a server and a client certificate, folders 0700 and files 0600', async () => {
    const { paths, generated } = await ensureAgentCertificates(dir);
    expect(generated).toBe(true);
    const server = new X509Certificate(await readFile(paths.server.certFile));
    const client = new X509Certificate(await readFile(paths.client.certFile));
    const ca = new X509Certificate(await readFile(paths.client.caFile));
    expect(server.subject).toBe(`CN=${GENERATED_SERVER_NAME}`);
    expect(server.subjectAltName).toContain('IP Address:127.0.0.1');
    expect(server.keyUsage).toEqual(['1.3.6.1.5.5.7.3.1']);
    expect(client.subject).toBe(`CN=${GENERATED_CLIENT_NAME}`);
    expect(client.keyUsage).toEqual(['1.3.6.1.5.5.7.3.2']);
    expect(server.checkIssued(ca) && client.checkIssued(ca)).toBe(true);
    expect((await stat(paths.dir)).mode & 0o777).toBe(0o700);
    expect((await stat(paths.client.keyFile)).mode & 0o777).toBe(0o600);
    expect((await stat(join(paths.dir, 'ca.key'))).mode & 0o777).toBe(0o600);
  });

  it('keeps them on the next start, setting modes back, and makes all of them again when one is missing', async () => {
    const first = await ensureAgentCertificates(dir);
    const before = await readFile(first.paths.client.certFile, 'utf8');
    await chmod(first.paths.client.keyFile, 0o644);
    const again = await ensureAgentCertificates(dir);
    expect(again.generated).toBe(false);
    expect(await readFile(again.paths.client.certFile, 'utf8')).toBe(before);
    expect((await stat(again.paths.client.keyFile)).mode & 0o777).toBe(0o600);

    await unlink(first.paths.server.keyFile);
    const remade = await ensureAgentCertificates(dir);
    expect(remade.generated).toBe(true);
    expect(await readFile(remade.paths.client.certFile, 'utf8')).not.toBe(before);
  });

  it('makes them again when they expire within a day', async () => {
    const before = await readFile((await ensureAgentCertificates(dir)).paths.client.certFile, 'utf8');
    const later = new Date(Date.now() + 5 * 365 * 86_400_000);
    const renewed = await ensureAgentCertificates(dir, later);
    expect(renewed.generated).toBe(true);
    expect(await readFile(renewed.paths.client.certFile, 'utf8')).not.toBe(before);
  });
});
