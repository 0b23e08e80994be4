/**
 * The DNSChaos responder: a DNS server on UDP and TCP (one port number for both) that answers queries for names
 * matching the patterns as the action says, and forwards every other query to the upstream resolver over UDP,
 * from its own UDP socket (so the agent's redirect, which exempts that source port, does not loop it back).
 * - `error`: SERVFAIL (Chaos Mesh's chaos-dns-server answers an error too; chaosflow picks SERVFAIL, which a
 *   resolver treats as "try again", not NXDOMAIN's "no such name");
 * - `random`: one random address, A for A queries, AAAA for AAAA queries (other types of a matching name are
 *   answered with no records).
 * Packets are encoded and decoded with dns-packet. It runs in the target's network namespace
 * (`dns-responder-main.ts`).
 */
import { randomBytes } from 'node:crypto';
import { createSocket, type RemoteInfo } from 'node:dgram';
import { once } from 'node:events';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import dnsPacket from 'dns-packet';
import type { NameMatcher } from './dns-patterns.js';

export type DnsAction = 'error' | 'random';

export interface DnsResponder {
  readonly port: number;
  close(): Promise<void>;
}

const SERVFAIL = 2;
const FORWARD_TIMEOUT_MS = 5_000;

function randomAddress(type: 'A' | 'AAAA'): string {
  const bytes = randomBytes(type === 'A' ? 4 : 16);
  if (type === 'A') return [...bytes].map(String).join('.');
  return (bytes.toString('hex').match(/.{4}/g) as string[]).join(':');
}

/** The answer for a query whose name matches, or undefined to forward it. */
function faultAnswer(query: dnsPacket.Packet, action: DnsAction, matches: NameMatcher): Buffer | undefined {
  const question = query.questions?.[0];
  if (!question || !matches(question.name)) return undefined;
  const flags = dnsPacket.RECURSION_DESIRED | dnsPacket.RECURSION_AVAILABLE;
  if (action === 'error') {
    return dnsPacket.encode({
      type: 'response',
      id: query.id ?? 0,
      flags: flags | SERVFAIL,
      questions: [question],
    });
  }
  const answers: dnsPacket.Answer[] =
    question.type === 'A' || question.type === 'AAAA'
      ? [
          {
            type: question.type,
            name: question.name,
            ttl: 1,
            class: 'IN',
            data: randomAddress(question.type),
          },
        ]
      : [];
  return dnsPacket.encode({ type: 'response', id: query.id ?? 0, flags, questions: [question], answers });
}

export async function startDnsResponder(options: {
  action: DnsAction;
  matches: NameMatcher;
  upstream: { host: string; port: number };
}): Promise<DnsResponder> {
  const { action, matches, upstream } = options;
  const udp = createSocket('udp4');
  /** Forwarded queries by the id sent upstream. */
  const pending = new Map<number, { id: number; reply: (answer: Buffer) => void; timer: NodeJS.Timeout }>();
  let nextId = randomBytes(2).readUInt16BE(0);

  const forward = (query: Buffer, reply: (answer: Buffer) => void): void => {
    let id = nextId;
    for (let n = 0; pending.has(id) && n < 65_536; n++) id = (id + 1) & 0xffff;
    nextId = (id + 1) & 0xffff;
    const original = query.readUInt16BE(0);
    const copy = Buffer.from(query);
    copy.writeUInt16BE(id, 0);
    const timer = setTimeout(() => pending.delete(id), FORWARD_TIMEOUT_MS);
    pending.set(id, { id: original, reply, timer });
    udp.send(copy, upstream.port, upstream.host);
  };

  const handle = (message: Buffer, reply: (answer: Buffer) => void): void => {
    let query: dnsPacket.Packet;
    try {
      query = dnsPacket.decode(message);
    } catch {
      return;
    }
    const answer = faultAnswer(query, action, matches);
    if (answer) reply(answer);
    else forward(message, reply);
  };

  udp.on('message', (message: Buffer, from: RemoteInfo) => {
    if (from.address === upstream.host && from.port === upstream.port && message.length >= 2) {
      const waiting = pending.get(message.readUInt16BE(0));
      if (!waiting) return;
      pending.delete(message.readUInt16BE(0));
      clearTimeout(waiting.timer);
      const answer = Buffer.from(message);
      answer.writeUInt16BE(waiting.id, 0);
      waiting.reply(answer);
      return;
    }
    handle(message, (answer) => udp.send(answer, from.port, from.address));
  });
  udp.bind(0, '0.0.0.0');
  await once(udp, 'listening');
  const port = udp.address().port;

  const sockets = new Set<Socket>();
  const tcp = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    let buffered = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      while (buffered.length >= 2 && buffered.length >= 2 + buffered.readUInt16BE(0)) {
        const message = buffered.subarray(2, 2 + buffered.readUInt16BE(0));
        buffered = buffered.subarray(2 + message.length);
        handle(Buffer.from(message), (answer) => {
          const length = Buffer.alloc(2);
          length.writeUInt16BE(answer.length, 0);
          if (!socket.destroyed) socket.write(Buffer.concat([length, answer]));
        });
      }
    });
  });
  tcp.listen(port, '0.0.0.0');
  await once(tcp, 'listening');
  if ((tcp.address() as AddressInfo).port !== port) throw new Error('TCP port differs from UDP port');

  return {
    port,
    close: async () => {
      for (const socket of sockets) socket.end();
      await new Promise<void>((resolve) => tcp.close(() => resolve()));
      for (const waiting of pending.values()) clearTimeout(waiting.timer);
      await new Promise<void>((resolve) => udp.close(() => resolve()));
    },
  };
}
