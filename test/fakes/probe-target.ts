import { createServer, type Server } from 'node:http';

/** A local HTTP server for StatusCheck tests whose answer the test changes (`status`), counting requests. */
export interface ProbeTarget {
  url: string;
  status: number;
  requests: number;
  close(): Promise<void>;
}

export async function startProbeTarget(initialStatus = 200): Promise<ProbeTarget> {
  const target = { status: initialStatus, requests: 0 } as ProbeTarget;
  const server: Server = createServer((_req, res) => {
    target.requests += 1;
    res.statusCode = target.status;
    res.end('ok');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('probe target has no port');
  target.url = `http://127.0.0.1:${address.port}/health`;
  target.close = () => new Promise<void>((resolve) => server.close(() => resolve()));
  return target;
}
