/**
 * Measurements from outside the target: whether an HTTP request gets an answer within a timeout, and the
 * rate of a download.
 */
import { request } from 'node:http';

/** Resolves with the status code, or 'timeout' / 'error' when no answer came. */
export function httpGet(url: string, timeoutMs: number): Promise<number | 'timeout' | 'error'> {
  return new Promise((resolve) => {
    const req = request(url, { timeout: timeoutMs, agent: false }, (res) => {
      res.resume();
      res.once('end', () => resolve(res.statusCode ?? 0));
    });
    req.once('timeout', () => {
      req.destroy();
      resolve('timeout');
    });
    req.once('error', () => resolve('error'));
    req.end();
  });
}

/** Downloads `bytes` from the target's /bytes endpoint; bytes per second, counting what arrived by the deadline. */
export function downloadRate(baseUrl: string, bytes: number, maxMs: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    let received = 0;
    const finish = (): void => resolve((received * 1000) / Math.max(1, performance.now() - started));
    const req = request(`${baseUrl}/bytes?n=${bytes}`, { agent: false }, (res) => {
      res.on('data', (chunk: Buffer) => (received += chunk.length));
      res.once('end', finish);
      res.once('error', reject);
    });
    const timer = setTimeout(() => {
      req.destroy();
      finish();
    }, maxMs);
    req.once('close', () => clearTimeout(timer));
    req.once('error', (err) => (received > 0 ? finish() : reject(err)));
    req.end();
  });
}
