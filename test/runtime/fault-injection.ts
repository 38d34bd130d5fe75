/**
 * Real database faults, switchable on and off, for the runtime tests and `bench/recovery.ts`:
 * another process holding SQLite's write lock, and PostgreSQL behind a TCP proxy that can be cut
 * (every connection dropped, new ones refused) — the database "down".
 */
import { spawn } from 'node:child_process';
import net from 'node:net';
import pg from 'pg';

export interface SwitchableFault {
  /** The database URL to give the code under test (through the fault). */
  url: string;
  start(): Promise<void>;
  end(): Promise<void>;
  close(): Promise<void>;
}

const HOLD_WRITE_LOCK = new URL('./workers/hold-write-lock.ts', import.meta.url).pathname;

/**
 * A process that takes `BEGIN EXCLUSIVE` on `path` on start() and commits on end(). It is spawned
 * at once, so start() takes the lock without a process start-up delay. The file must exist.
 */
export async function sqliteLockHolder(url: string, path: string): Promise<SwitchableFault> {
  const holder = spawn(process.execPath, ['--import', 'tsx', HOLD_WRITE_LOCK, path], { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = linesOf(holder);
  await lines.next('ready');
  return {
    url,
    start: async () => {
      holder.stdin?.write('lock\n');
      await lines.next('locked');
    },
    end: async () => {
      holder.stdin?.write('release\n');
      await lines.next('released');
    },
    close: async () => {
      const exited = new Promise((resolve) => holder.once('exit', resolve));
      holder.kill('SIGKILL');
      await exited;
    },
  };
}

/** A fresh database on the PostgreSQL server at `serverUrl`, reached through a TCP proxy. */
export async function postgresBehindProxy(serverUrl: string): Promise<SwitchableFault> {
  const name = `gtc_fault_${process.pid}_${Date.now()}`;
  const admin = async (sql: string): Promise<void> => {
    const client = new pg.Client({ connectionString: serverUrl });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  };
  await admin(`create database ${name}`);
  const target = new URL(serverUrl);
  const proxy = new TcpProxy(target.hostname, Number(target.port || 5432));
  await proxy.listen();
  const url = new URL(serverUrl);
  url.hostname = '127.0.0.1';
  url.port = String(proxy.port);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    start: () => proxy.cut(),
    end: () => proxy.listen(),
    close: async () => {
      await proxy.cut();
      await admin(`drop database if exists ${name} with (force)`);
    },
  };
}

/** Forwards loopback connections to host:port; cut() drops them all and refuses new ones. */
export class TcpProxy {
  private server: net.Server | undefined;
  private readonly sockets = new Set<net.Socket>();
  port = 0;

  constructor(private readonly host: string, private readonly targetPort: number) {}

  /** Listens (again, on the same port after a cut). */
  async listen(): Promise<void> {
    const server = net.createServer((client) => {
      const upstream = net.connect(this.targetPort, this.host);
      for (const socket of [client, upstream]) {
        this.sockets.add(socket);
        socket.on('close', () => this.sockets.delete(socket));
        socket.on('error', () => {
          client.destroy();
          upstream.destroy();
        });
      }
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((resolve) => server.listen(this.port, '127.0.0.1', resolve));
    this.port = (server.address() as net.AddressInfo).port;
    this.server = server;
  }

  async cut(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    const server = this.server;
    this.server = undefined;
    if (server) await new Promise((resolve) => server.close(resolve));
  }
}

/** Waits for a child's stdout lines, one expected line at a time. */
function linesOf(child: ReturnType<typeof spawn>): { next(expected: string): Promise<void> } {
  const received: string[] = [];
  let waiter: { expected: string; resolve: () => void } | undefined;
  let buffer = '';
  let exited = false;
  const check = (): void => {
    if (!waiter || !received.includes(waiter.expected)) return;
    received.splice(received.indexOf(waiter.expected), 1);
    const { resolve } = waiter;
    waiter = undefined;
    resolve();
  };
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    buffer += chunk;
    const parts = buffer.split('\n');
    buffer = parts.pop() ?? '';
    received.push(...parts);
    check();
  });
  child.once('exit', () => (exited = true));
  return {
    next: (expected) => new Promise<void>((resolve, reject) => {
      if (exited) return reject(new Error(`the lock holder exited before printing "${expected}"`));
      waiter = { expected, resolve };
      child.once('exit', () => reject(new Error(`the lock holder exited before printing "${expected}"`)));
      check();
    }),
  };
}
