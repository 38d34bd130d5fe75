import { Command } from 'commander';
import { readFileSync, writeFileSync } from 'node:fs';
import type { PoolsMultiPage } from '../../api/index.ts';
import type { PoolRef } from '../../collectors/pool-ids.ts';
import type { GtcConfig } from '../../config/index.ts';
import { GtcError } from '../../lib/errors.ts';
import type { WatchedPool, WatchlistRecord } from '../../store/index.ts';
import { action, loadCliConfig, printJson, rememberSecrets, UsageError } from '../context.ts';
import { csvLine } from '../output/csv.ts';
import { renderTable } from '../output/table.ts';
import type { CollectorSession } from './collect.ts';

/** The CSV columns users of the old tool already have, in this order. */
export const WATCHLIST_CSV_COLUMNS = ['pool_id', 'symbol', 'name', 'network_address', 'active'] as const;

/** `gtc watchlist add|list|update|remove|import|export`. */
export function watchlistCommand(): Command {
  const command = new Command('watchlist').description('manage the watched pools (their trades and candles are collected)');
  command
    .command('add')
    .description('watch pools (checked upstream first)')
    .argument('<pool...>', 'pool ids ({network}_{address}), or addresses with --network')
    .option('--network <id>', 'the network of pools given as plain addresses')
    .option('--note <text>', 'a note kept with the entries')
    .action(action(async (pools: string[], options: { network?: string; note?: string }, cmd: Command) => {
      await withSession(cmd, async (session, config) => {
        const refs = await resolvePools(session, config, pools, options.network);
        const added = await addVerified(session, refs, (ref, found) => ({ note: options.note ?? null, symbol: found.symbol, name: found.name, active: true, poolId: ref.id }));
        process.stdout.write(`Watching ${added} pool${added === 1 ? '' : 's'}: ${refs.map((r) => r.id).join(', ')}.\n`);
      });
    }));
  command
    .command('list')
    .description('show the watched pools')
    .option('--all', 'include deactivated pools')
    .option('--json', 'print JSON')
    .option('--csv', `print CSV (${WATCHLIST_CSV_COLUMNS.join(',')})`)
    .action(action(async (options: { all?: boolean; json?: boolean; csv?: boolean }, cmd: Command) => {
      await withSession(cmd, async (session) => {
        const entries = await session.deps.store.read.watchlist.list({ all: Boolean(options.all) });
        if (options.json) printJson(entries.map(toJson));
        else if (options.csv) process.stdout.write(toCsv(entries));
        else process.stdout.write(entries.length ? renderEntries(entries) : 'The watchlist is empty; add pools with gtc watchlist add.\n');
      });
    }));
  command
    .command('update')
    .description('change a watched pool')
    .argument('<pool>', 'pool id')
    .option('--active <yes|no>', 'activate or deactivate (deactivated pools are kept, not collected)')
    .option('--note <text>', 'set the note')
    .option('--symbol <text>', 'set the symbol')
    .option('--name <text>', 'set the name')
    .action(action(async (poolId: string, options: { active?: string; note?: string; symbol?: string; name?: string }, cmd: Command) => {
      await withSession(cmd, async (session) => {
        const now = Math.floor(Date.now() / 1000);
        const active = options.active === undefined ? undefined : parseBool(options.active, '--active');
        await session.deps.store.write(async (tx) => {
          const entry = await tx.watchlist.get(poolId);
          if (!entry) throw new GtcError('bad-data', `Pool ${poolId} is not on the watchlist; add it with gtc watchlist add ${poolId}.`);
          await tx.watchlist.upsert([{
            ...entry, updatedAt: now, ...(active === undefined ? {} : { active, belowSince: null }),
            ...(options.note === undefined ? {} : { note: options.note }), ...(options.symbol === undefined ? {} : { symbol: options.symbol }), ...(options.name === undefined ? {} : { name: options.name }),
          }]);
        });
        process.stdout.write(`Updated ${poolId}.\n`);
      });
    }));
  command
    .command('remove')
    .description('stop watching pools (their collected data is kept)')
    .argument('<pool...>', 'pool ids')
    .action(action(async (pools: string[], _options: unknown, cmd: Command) => {
      await withSession(cmd, async (session) => {
        await session.deps.store.write(async (tx) => {
          const notThere: string[] = [];
          for (const id of pools) if (!(await tx.watchlist.remove(id))) notThere.push(id);
          // Thrown inside the transaction: it rolls back, so either all are removed or none.
          if (notThere.length) throw new GtcError('bad-data', `Not on the watchlist: ${notThere.join(', ')}; nothing was removed (see gtc watchlist list).`);
        });
        process.stdout.write(`Removed ${pools.length} pool${pools.length === 1 ? '' : 's'} from the watchlist.\n`);
      });
    }));
  command
    .command('import')
    .description(`watch the pools of a CSV file (${WATCHLIST_CSV_COLUMNS.join(',')})`)
    .argument('<file>', 'CSV file with a header row')
    .option('--no-verify', 'do not check upstream that the pools exist')
    .action(action(async (file: string, options: { verify: boolean }, cmd: Command) => {
      await withSession(cmd, async (session, config) => {
        const rows = parseWatchlistCsv(readFileSync(file, 'utf8'), file);
        const refs = await resolvePools(session, config, rows.map((r) => r.poolId), undefined, rows);
        const byId = new Map(rows.map((r) => [r.poolId, r]));
        const entry = (ref: PoolRef, found?: { symbol: string | null; name: string | null }): Partial<WatchlistRecord> & { poolId: string } => {
          const row = byId.get(ref.id);
          return { poolId: ref.id, active: row?.active ?? true, symbol: row?.symbol || found?.symbol || null, name: row?.name || found?.name || null };
        };
        const count = options.verify ? await addVerified(session, refs, entry) : await addEntries(session, refs.map((ref) => entry(ref)));
        process.stdout.write(`Imported ${count} pool${count === 1 ? '' : 's'} from ${file}.\n`);
      });
    }));
  command
    .command('export')
    .description(`write the watchlist as CSV (${WATCHLIST_CSV_COLUMNS.join(',')})`)
    .option('--out <file>', 'write to a file instead of stdout')
    .option('--active-only', 'leave out deactivated pools')
    .action(action(async (options: { out?: string; activeOnly?: boolean }, cmd: Command) => {
      await withSession(cmd, async (session) => {
        const csv = toCsv(await session.deps.store.read.watchlist.list({ all: !options.activeOnly }));
        if (options.out) writeFileSync(options.out, csv);
        else process.stdout.write(csv);
      });
    }));
  return command;
}

async function withSession(cmd: Command, work: (session: CollectorSession, config: GtcConfig) => Promise<void>): Promise<void> {
  const loaded = loadCliConfig(cmd);
  rememberSecrets(loaded);
  const [{ openCollectorSession }, { secretsOf }] = await Promise.all([import('./collect.ts'), import('../../config/index.ts')]);
  const session = await openCollectorSession(loaded.config, secretsOf(loaded.config));
  try {
    await work(session, loaded.config);
  } finally {
    await session.close();
  }
}

/** Splits ids by the configured networks and those gtc has stored; plain addresses take `network`. */
async function resolvePools(session: CollectorSession, config: GtcConfig, ids: readonly string[], network: string | undefined, rows: readonly CsvRow[] = []): Promise<PoolRef[]> {
  const { splitPoolId } = await import('../../collectors/pool-ids.ts');
  const known = new Set([...config.networks, ...(await session.deps.store.read.dexes.list()).map((d) => d.network)]);
  const addresses = new Map(rows.map((r) => [r.poolId, r.address]));
  const refs: PoolRef[] = [];
  for (const id of new Set(ids)) {
    const address = addresses.get(id);
    if (address && id.endsWith(`_${address}`)) refs.push({ id, network: id.slice(0, id.length - address.length - 1), address });
    else if (network) refs.push(id.startsWith(`${network}_`) ? { id, network, address: id.slice(network.length + 1) } : { id: `${network}_${id}`, network, address: id });
    else {
      const ref = splitPoolId(id, known);
      if (!ref) throw new UsageError(`"${id}" does not start with a known network (${[...known].join(', ')}); write it as {network}_{address} or pass --network.`);
      refs.push(ref);
    }
  }
  return refs;
}

type EntryFor = (ref: PoolRef, found: { symbol: string | null; name: string | null }) => Partial<WatchlistRecord> & { poolId: string };

/** Checks upstream (pools/multi, 30 per call) that every pool exists, stores them, then watches them. */
async function addVerified(session: CollectorSession, refs: readonly PoolRef[], entryFor: EntryFor): Promise<number> {
  const { writePoolsPage, poolSymbol } = await import('../../collectors/pool-rows.ts');
  const byNetwork = new Map<string, PoolRef[]>();
  for (const ref of refs) byNetwork.set(ref.network, [...(byNetwork.get(ref.network) ?? []), ref]);
  const pages: PoolsMultiPage[] = [];
  const missing: string[] = [];
  for (const [network, pools] of byNetwork) {
    for await (const page of session.deps.api.poolsMulti(network, pools.map((p) => p.address))) {
      pages.push(page);
      missing.push(...page.missing.map((address) => `${network}_${address}`));
    }
  }
  if (missing.length === 1) throw new GtcError('bad-data', `Pool ${missing[0]} does not exist on GeckoTerminal; check its network and address (nothing was added).`);
  if (missing.length > 1) throw new GtcError('bad-data', `${missing.length} pools do not exist on GeckoTerminal (${missing.slice(0, 5).join(', ')}${missing.length > 5 ? ', …' : ''}); check their networks and addresses (nothing was added).`);
  // EVM addresses may be typed in another case: the entry takes the API's id.
  const found = new Map(pages.flatMap((page) => page.pools.map((pool) => {
    const base = page.tokens.find((t) => t.id === pool.baseTokenId);
    return [pool.id.toLowerCase(), { id: pool.id, network: pool.network, address: pool.address, symbol: base?.symbol ?? poolSymbol(pool), name: pool.name }] as const;
  })));
  const entries = refs.map((ref) => {
    const upstream = found.get(ref.id.toLowerCase());
    return upstream ? { ...entryFor(ref, upstream), poolId: upstream.id } : entryFor(ref, { symbol: null, name: null });
  });
  await session.deps.store.write(async (tx) => {
    for (const page of pages) await writePoolsPage(tx, page, 'watchlist');
  });
  return addEntries(session, entries);
}

/** Inserts or updates manual entries, keeping what a person set before (added_at, note, source). */
async function addEntries(session: CollectorSession, entries: readonly (Partial<WatchlistRecord> & { poolId: string })[]): Promise<number> {
  const now = Math.floor(Date.now() / 1000);
  return session.deps.store.write(async (tx) => {
    const rows: WatchlistRecord[] = [];
    for (const e of entries) {
      const old = await tx.watchlist.get(e.poolId);
      rows.push({
        poolId: e.poolId, active: e.active ?? true, source: 'manual', score: old?.score ?? null, addedAt: old?.addedAt ?? now, updatedAt: now,
        symbol: e.symbol ?? old?.symbol ?? null, name: e.name ?? old?.name ?? null, note: e.note ?? old?.note ?? null, belowSince: null,
      });
    }
    await tx.watchlist.upsert(rows);
    return rows.length;
  });
}

function parseBool(text: string, what: string): boolean {
  const value = text.trim().toLowerCase();
  if (['1', 'true', 'yes', 'y', 'on', ''].includes(value)) return true;
  if (['0', 'false', 'no', 'n', 'off'].includes(value)) return false;
  throw new UsageError(`${what} must be yes or no (true/false, 1/0), got "${text}".`);
}

function toJson(e: WatchedPool): Record<string, unknown> {
  return {
    poolId: e.poolId, network: e.network, active: e.active, source: e.source, score: e.score, symbol: e.symbol, name: e.name, note: e.note,
    poolName: e.poolName, addedAt: new Date(e.addedAt * 1000).toISOString(), updatedAt: new Date(e.updatedAt * 1000).toISOString(),
  };
}

function renderEntries(entries: readonly WatchedPool[]): string {
  return renderTable(entries, [
    { header: 'POOL', value: (e) => e.poolId },
    { header: 'SYMBOL', value: (e) => e.symbol ?? '' },
    { header: 'NAME', value: (e) => e.name ?? e.poolName ?? '' },
    { header: 'ACTIVE', value: (e) => (e.active ? 'yes' : 'no') },
    { header: 'SOURCE', value: (e) => e.source },
    { header: 'SCORE', value: (e) => e.score ?? '', align: 'right' },
    { header: 'ADDED', value: (e) => new Date(e.addedAt * 1000).toISOString().slice(0, 16).replace('T', ' ') },
  ], { colour: Boolean(process.stdout.isTTY) });
}

/** The watchlist as CSV; cells that a spreadsheet would read as formulas are neutralised. */
export function toCsv(entries: readonly WatchedPool[]): string {
  let out = csvLine(WATCHLIST_CSV_COLUMNS);
  for (const e of entries) {
    const address = e.network && e.poolId.startsWith(`${e.network}_`) ? e.poolId.slice(e.network.length + 1) : e.poolId.slice(e.poolId.lastIndexOf('_') + 1);
    out += csvLine([e.poolId, e.symbol ?? '', e.name ?? '', address, e.active ? 'true' : 'false']);
  }
  return out;
}

export interface CsvRow {
  poolId: string;
  symbol: string;
  name: string;
  address: string;
  active: boolean;
}

/** Reads the watchlist CSV (RFC 4180, header required); a neutralising `'` before = + - @ is removed. */
export function parseWatchlistCsv(text: string, file: string): CsvRow[] {
  const records = parseCsv(text.replace(/^\uFEFF/, ''));
  const header = (records.shift() ?? []).map((h) => h.trim().toLowerCase());
  const missing = WATCHLIST_CSV_COLUMNS.filter((c) => c !== 'symbol' && c !== 'name' && c !== 'active' && !header.includes(c));
  if (missing.length) throw new UsageError(`${file} has no ${missing.join(', ')} column; its header must be ${WATCHLIST_CSV_COLUMNS.join(',')}.`);
  const cell = (record: string[], column: string): string => unneutralise((record[header.indexOf(column)] ?? '').trim());
  return records.filter((r) => r.some((c) => c.trim() !== '')).map((r, i) => {
    const poolId = cell(r, 'pool_id');
    if (!poolId) throw new UsageError(`${file} line ${i + 2} has no pool_id.`);
    const active = header.includes('active') ? parseBool(cell(r, 'active'), `${file} line ${i + 2}: active`) : true;
    return { poolId, symbol: cell(r, 'symbol'), name: cell(r, 'name'), address: cell(r, 'network_address'), active };
  });
}

function unneutralise(value: string): string {
  return /^'[=+\-@\t\r]/.test(value) ? value.slice(1) : value;
}

/** RFC 4180 records: quoted fields may hold commas, quotes ("") and line breaks. */
function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"' && field === '') quoted = true;
    else if (c === ',') {
      record.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      record.push(field);
      records.push(record);
      record = [];
      field = '';
    } else field += c;
  }
  if (field !== '' || record.length > 0) {
    record.push(field);
    records.push(record);
  }
  return records;
}
