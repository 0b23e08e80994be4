/**
 * Who may command the agent: with mutual TLS the handshake already proved that the client holds a key whose
 * certificate the agent's CA signed; this checks that the certificate also names an allowed client (its CN or
 * one of its DNS SANs, compared without case) and is meant for clients (extended key usage clientAuth, when the
 * certificate restricts its usage). So the agent's own server certificate, or any other certificate the same
 * CA signed for something else, is refused. Every call is checked, before its request is looked at.
 */
import type { ServerUnaryCall } from '@grpc/grpc-js';
import type { PeerCertificate } from 'node:tls';
import { AgentError } from './agent-error.js';

const CLIENT_AUTH = '1.3.6.1.5.5.7.3.2';

/** Whom the agent serves: anyone who reaches it (plaintext on loopback), or clients with these names. */
export type ClientAccess =
  { readonly kind: 'anyone' } | { readonly kind: 'named'; readonly names: readonly string[] };

/** The names a certificate answers to: its CN and its DNS subject alternative names. */
export function certificateNames(cert: Pick<PeerCertificate, 'subject' | 'subjectaltname'>): string[] {
  // Node gives an array when the subject has several CNs, whatever its types say.
  const cn: unknown = cert.subject?.CN;
  const cns = (Array.isArray(cn) ? (cn as unknown[]) : [cn]).filter(
    (v): v is string => typeof v === 'string',
  );
  const sans = (cert.subjectaltname ?? '')
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part.startsWith('DNS:'))
    .map((part) => part.slice(4));
  return [...cns.filter(Boolean), ...sans];
}

/** Throws UNAUTHENTICATED or PERMISSION_DENIED unless the peer may call the agent. */
export function checkClient(
  access: ClientAccess,
  call: Pick<ServerUnaryCall<unknown, unknown>, 'getAuthContext'>,
): void {
  if (access.kind === 'anyone') return;
  const cert = call.getAuthContext()?.sslPeerCertificate;
  if (!cert || !cert.raw) {
    throw new AgentError(
      'UNAUTHENTICATED',
      'the chaosflow agent serves only clients that present a TLS client certificate',
    );
  }
  const names = certificateNames(cert);
  const allowed = new Set(access.names.map((n) => n.toLowerCase()));
  const shown = names.length > 0 ? names.map((n) => JSON.stringify(n.slice(0, 80))).join(', ') : '(none)';
  if (!names.some((n) => allowed.has(n.toLowerCase()))) {
    throw new AgentError(
      'PERMISSION_DENIED',
      `the client certificate names ${shown}, none of which this agent serves (allowed: ` +
        `${access.names.join(', ')}); start the agent with --allow-client NAME to admit a client`,
      { names },
    );
  }
  const usage = cert.ext_key_usage;
  if (usage && usage.length > 0 && !usage.includes(CLIENT_AUTH)) {
    throw new AgentError(
      'PERMISSION_DENIED',
      `the certificate ${shown} is not a client certificate (its extended key usage lacks clientAuth); ` +
        'use a certificate issued for clients',
      { names },
    );
  }
}
