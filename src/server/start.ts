import { serve, type ServerType } from '@hono/node-server';
import type { AddressInfo } from 'node:net';
import { ConfigError } from '../config/index.ts';
import type { Hono } from 'hono';
import { isLoopback } from './auth.ts';

export interface HttpServerOptions {
  host: string;
  port: number;
  /** The bearer token the app checks; required when `host` is not a loopback address. */
  token?: string | undefined;
}

export interface RunningHttpServer {
  /** e.g. http://127.0.0.1:8080 */
  url: string;
  port: number;
  close(): Promise<void>;
}

/**
 * Listens on host:port. Refuses (ConfigError) to listen beyond loopback without a token, since the
 * API shows the collection's state and the dashboard's data to whoever can reach it.
 * The app must have been created with the same token (createServer({ token })).
 */
export async function startHttpServer(app: Hono, options: HttpServerOptions): Promise<RunningHttpServer> {
  if (!isLoopback(options.host) && !options.token) {
    throw new ConfigError(`server.host is ${options.host}, which is reachable from other machines; set GTC_HTTP_TOKEN (or server.token) so the HTTP API requires a bearer token, or bind to 127.0.0.1.`);
  }
  const server = await new Promise<ServerType>((resolve, reject) => {
    const s = serve({ fetch: app.fetch, hostname: options.host, port: options.port }, () => resolve(s));
    s.once('error', (error: NodeJS.ErrnoException) => {
      reject(error.code === 'EADDRINUSE' ? new ConfigError(`Port ${options.port} on ${options.host} is already in use; set server.port (or GTC_HTTP_PORT) to a free port.`) : error);
    });
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `http://${host}:${address.port}`,
    port: address.port,
    close: () =>
      new Promise<void>((resolve) => {
        (server as unknown as { closeAllConnections?: () => void }).closeAllConnections?.();
        server.close(() => resolve());
      }),
  };
}
