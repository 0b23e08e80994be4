/**
 * A throw-away certificate authority for mTLS tests, made with the `openssl` CLI (argv arrays, no shell) in a
 * temp dir: a CA, a server certificate with the SANs Chaos Mesh's daemon certificate carries
 * (`chaos-daemon.chaos-mesh.org`, `localhost`), and client certificates. EC P-256 keys keep it fast.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface CertFiles {
  readonly certFile: string;
  readonly keyFile: string;
  readonly cert: Buffer;
  readonly key: Buffer;
}

export interface TestCa {
  readonly dir: string;
  readonly caFile: string;
  readonly ca: Buffer;
  /** Signs a server certificate for the given DNS names (and 127.0.0.1). */
  server(name: string, dnsNames: readonly string[]): Promise<CertFiles>;
  /** Signs a client certificate (extendedKeyUsage clientAuth) with the given common name. */
  client(name: string, commonName: string): Promise<CertFiles>;
  remove(): Promise<void>;
}

async function openssl(args: readonly string[]): Promise<void> {
  await run('openssl', [...args]);
}

export async function createTestCa(commonName = 'chaosflow-test-ca'): Promise<TestCa> {
  const dir = await mkdtemp(join(tmpdir(), 'chaosflow-ca-'));
  const caKey = join(dir, 'ca.key');
  const caFile = join(dir, 'ca.crt');
  await openssl([
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:prime256v1',
    '-nodes',
    '-keyout',
    caKey,
    '-out',
    caFile,
    '-days',
    '2',
    '-subj',
    `/CN=${commonName}`,
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
  ]);

  const sign = async (name: string, subject: string, extensions: string): Promise<CertFiles> => {
    const keyFile = join(dir, `${name}.key`);
    const csrFile = join(dir, `${name}.csr`);
    const certFile = join(dir, `${name}.crt`);
    const extFile = join(dir, `${name}.ext`);
    await writeFile(extFile, extensions);
    await openssl([
      'req',
      '-new',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-keyout',
      keyFile,
      '-out',
      csrFile,
      '-subj',
      `/CN=${subject}`,
    ]);
    await openssl([
      'x509',
      '-req',
      '-in',
      csrFile,
      '-CA',
      caFile,
      '-CAkey',
      caKey,
      '-CAcreateserial',
      '-out',
      certFile,
      '-days',
      '2',
      '-extfile',
      extFile,
    ]);
    const [cert, key] = await Promise.all([readFile(certFile), readFile(keyFile)]);
    return { certFile, keyFile, cert, key };
  };

  return {
    dir,
    caFile,
    ca: await readFile(caFile),
    server: (name, dnsNames) =>
      sign(
        name,
        dnsNames[0] ?? 'localhost',
        [
          'basicConstraints=CA:FALSE',
          'keyUsage=critical,digitalSignature',
          'extendedKeyUsage=serverAuth',
          `subjectAltName=${[...dnsNames.map((d) => `DNS:${d}`), 'IP:127.0.0.1'].join(',')}`,
          '',
        ].join('\n'),
      ),
    client: (name, cn) =>
      sign(
        name,
        cn,
        [
          'basicConstraints=CA:FALSE',
          'keyUsage=critical,digitalSignature',
          'extendedKeyUsage=clientAuth',
          '',
        ].join('\n'),
      ),
    remove: () => rm(dir, { recursive: true, force: true }),
  };
}
