/**
 * The certificates the agent makes for itself on first start when it is given none (its default transport is
 * mutual TLS): a CA, a server certificate and one client certificate, in `<state dir>/tls/`, every folder
 * 0700 and every file 0600, so only the agent's user (root) can read them. The client folder has the layout of
 * Chaos Mesh's client Secret (`ca.crt`, `tls.crt`, `tls.key`), so the embedded worker (or a worker given
 * `--daemon-tls-dir`) reads it as is.
 *
 * ```
 * <state dir>/tls/ca.key                                   the CA's key (only to issue)
 * <state dir>/tls/server/{ca.crt,tls.crt,tls.key}          the agent's identity
 * <state dir>/tls/client/{ca.crt,tls.crt,tls.key}          the one client the agent admits by default
 * ```
 *
 * The server certificate carries Chaos Mesh's daemon name `chaos-daemon.chaos-mesh.org` (what the client checks
 * by default), `localhost`, 127.0.0.1 and ::1, with extended key usage serverAuth only; the client certificate
 * carries the name `chaosflow-worker` (CN and SAN) with clientAuth only. Missing or incomplete material is made
 * again, all of it (the old client certificate stops working); modes that drifted are set back on every start.
 */
import { existsSync } from 'node:fs';
import { chmod, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { X509Certificate } from 'node:crypto';
import { errorMessage } from '../common/errors/chaosflow-error.js';
import { AgentConfigError } from './agent-error.js';
import { issueCertificate } from './x509-certificate.js';

/** The name in the generated client certificate: what `--allow-client` admits by default. */
export const GENERATED_CLIENT_NAME = 'chaosflow-worker';
/** The name in the generated server certificate (Chaos Mesh's daemon name, which clients check by default). */
export const GENERATED_SERVER_NAME = 'chaos-daemon.chaos-mesh.org';
const CA_NAME = 'chaosflow-agent-ca';
const VALID_YEARS = 5;

export interface TlsFolder {
  readonly caFile: string;
  readonly certFile: string;
  readonly keyFile: string;
}

export interface AgentCertificates {
  readonly dir: string;
  readonly server: TlsFolder;
  /** What a client presents: hand this to the worker. */
  readonly client: TlsFolder;
}

function folder(dir: string): TlsFolder {
  return { caFile: join(dir, 'ca.crt'), certFile: join(dir, 'tls.crt'), keyFile: join(dir, 'tls.key') };
}

/** Where the generated material lives for a state dir (whether or not it exists yet). */
export function agentCertificatePaths(stateDir: string): AgentCertificates {
  const dir = join(stateDir, 'tls');
  return { dir, server: folder(join(dir, 'server')), client: folder(join(dir, 'client')) };
}

function allFiles(paths: AgentCertificates): string[] {
  const files = (f: TlsFolder): string[] => [f.caFile, f.certFile, f.keyFile];
  return [join(paths.dir, 'ca.key'), ...files(paths.server), ...files(paths.client)];
}

/** Makes the CA, server and client certificates unless they are all there; returns their paths. */
export async function ensureAgentCertificates(
  stateDir: string,
  now: Date = new Date(),
): Promise<{ paths: AgentCertificates; generated: boolean }> {
  const paths = agentCertificatePaths(stateDir);
  try {
    const complete = allFiles(paths).every((f) => existsSync(f)) && (await stillValid(paths, now));
    if (!complete) await generate(paths, now);
    for (const dir of [paths.dir, join(paths.dir, 'server'), join(paths.dir, 'client')])
      await chmod(dir, 0o700);
    for (const file of allFiles(paths)) await chmod(file, 0o600);
    return { paths, generated: !complete };
  } catch (err) {
    if (err instanceof AgentConfigError) throw err;
    throw new AgentConfigError(
      `cannot create the agent's TLS certificates in ${paths.dir}: ${errorMessage(err)}. Give --state-dir a ` +
        'folder the agent can write, or pass your own --ca, --cert and --key',
      { setting: 'state-dir' },
    );
  }
}

async function stillValid(paths: AgentCertificates, now: Date): Promise<boolean> {
  for (const file of [paths.server.certFile, paths.client.certFile]) {
    const cert = new X509Certificate(await readFile(file));
    if (new Date(cert.validTo).getTime() < now.getTime() + 86_400_000) return false;
  }
  return true;
}

async function generate(paths: AgentCertificates, now: Date): Promise<void> {
  const notBefore = new Date(now.getTime() - 3_600_000);
  const notAfter = new Date(now.getTime() + VALID_YEARS * 365 * 86_400_000);
  const ca = issueCertificate({ commonName: CA_NAME, isCa: true, notBefore, notAfter });
  const issuer = { cert: ca.cert, privateKey: ca.privateKey, commonName: CA_NAME };
  const server = issueCertificate(
    {
      commonName: GENERATED_SERVER_NAME,
      altNames: [GENERATED_SERVER_NAME, 'localhost', '127.0.0.1', '::1'],
      isCa: false,
      extendedKeyUsage: ['serverAuth'],
      notBefore,
      notAfter,
    },
    issuer,
  );
  const client = issueCertificate(
    {
      commonName: GENERATED_CLIENT_NAME,
      altNames: [GENERATED_CLIENT_NAME],
      isCa: false,
      extendedKeyUsage: ['clientAuth'],
      notBefore,
      notAfter,
    },
    issuer,
  );
  // Written in a sibling folder, then swapped in, so a crash leaves either the old set or the new one.
  const staging = `${paths.dir}.new`;
  await rm(staging, { recursive: true, force: true });
  await mkdir(join(staging, 'server'), { recursive: true, mode: 0o700 });
  await mkdir(join(staging, 'client'), { recursive: true, mode: 0o700 });
  const put = (file: string, text: string) => writeFile(join(staging, file), text, { mode: 0o600 });
  await put('ca.key', ca.keyPem);
  for (const [sub, issued] of [
    ['server', server],
    ['client', client],
  ] as const) {
    await put(join(sub, 'ca.crt'), ca.certPem);
    await put(join(sub, 'tls.crt'), issued.certPem);
    await put(join(sub, 'tls.key'), issued.keyPem);
  }
  await rm(paths.dir, { recursive: true, force: true });
  await rename(staging, paths.dir);
}
