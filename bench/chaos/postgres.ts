/**
 * A throwaway PostgreSQL cluster for one chaos run: initdb in a temporary folder, started with
 * pg_ctl on a free loopback port, trust authentication, removed afterwards. Never the system
 * server. initdb refuses root, so as root the cluster runs as the `postgres` user (runuser).
 */
import { execFile } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface ThrowawayPostgres {
  port: number;
  /** Creates an empty database; resolves with its URL. */
  createDatabase(name: string): Promise<string>;
  /** Stops the server (fast: active transactions are rolled back, clients disconnected). */
  stop(): Promise<void>;
  start(): Promise<void>;
  destroy(): Promise<void>;
}

function binaries(): string {
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root) ? readdirSync(root).filter((v) => existsSync(join(root, v, 'bin', 'initdb'))).sort((a, b) => Number(b) - Number(a)) : [];
  if (versions.length === 0) throw new Error('no PostgreSQL server binaries under /usr/lib/postgresql/*/bin (install postgresql)');
  return join(root, versions[0] as string, 'bin');
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

export async function createThrowawayPostgres(): Promise<ThrowawayPostgres> {
  const bin = binaries();
  const folder = mkdtempSync(join(tmpdir(), 'gtc-chaos-pg-'));
  const data = join(folder, 'data');
  const asRoot = userInfo().uid === 0;
  const owner = asRoot ? await run('id', ['-u', 'postgres']).then((r) => Number(r.stdout.trim())) : undefined;
  const ownerGroup = asRoot ? await run('id', ['-g', 'postgres']).then((r) => Number(r.stdout.trim())) : undefined;
  if (owner !== undefined && ownerGroup !== undefined) chownSync(folder, owner, ownerGroup);
  const pgRun = (tool: string, args: string[]): Promise<unknown> =>
    asRoot ? run('runuser', ['-u', 'postgres', '--', join(bin, tool), ...args]) : run(join(bin, tool), args);
  const port = await freePort();
  await pgRun('initdb', ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync']);
  const options = `-p ${port} -k ${folder} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200`;
  const start = async (): Promise<void> => void (await pgRun('pg_ctl', ['-D', data, '-l', join(folder, 'server.log'), '-o', options, '-w', '-t', '60', 'start']));
  const stop = async (): Promise<void> => void (await pgRun('pg_ctl', ['-D', data, '-m', 'fast', '-w', 'stop']));
  await start();
  return {
    port,
    async createDatabase(name) {
      await pgRun('createdb', ['-h', '127.0.0.1', '-p', String(port), '-U', 'postgres', name]);
      return `postgres://postgres@127.0.0.1:${port}/${name}`;
    },
    start,
    stop,
    async destroy() {
      await pgRun('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']).catch(() => undefined);
      rmSync(folder, { recursive: true, force: true });
    },
  };
}
