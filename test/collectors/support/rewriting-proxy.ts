/**
 * A loopback HTTP proxy in front of the simulator that can rewrite answer bodies: a test serves a
 * chosen item corrupted (once, or every time) while the simulator keeps its ground truth.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** Returns the body to serve for a request path (with query), given the simulator's body. */
export type Rewrite = (path: string, body: string) => string;

export interface RewritingProxy {
  /** The proxy's URL for the simulator's base URL (same path prefix). */
  url: string;
  rewrite: Rewrite | undefined;
  close(): Promise<void>;
}

export async function startRewritingProxy(target: string): Promise<RewritingProxy> {
  const upstream = new URL(target);
  const proxy: RewritingProxy = { url: '', rewrite: undefined, close: () => close(server) };
  const server = createServer((req, res) => {
    const path = req.url ?? '/';
    fetch(new URL(path, upstream.origin), { headers: { accept: 'application/json' } })
      .then(async (answer) => {
        const body = await answer.text();
        const headers: Record<string, string> = { 'content-type': answer.headers.get('content-type') ?? 'application/json' };
        const retryAfter = answer.headers.get('retry-after');
        if (retryAfter !== null) headers['retry-after'] = retryAfter;
        res.writeHead(answer.status, headers).end(answer.ok && proxy.rewrite ? proxy.rewrite(path, body) : body);
      })
      .catch(() => res.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  proxy.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}${upstream.pathname}`;
  return proxy;
}

function close(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}
