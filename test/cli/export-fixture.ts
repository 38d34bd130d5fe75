/** A SQLite database with N trades (generated inside SQLite, so a million rows take seconds), for export tests and the export benchmark. */
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { openStore } from '../../src/store/index.ts';

export async function databaseWithTrades(dir: string, count: number, pools = 100): Promise<string> {
  const path = join(dir, 'gtc.sqlite');
  const store = await openStore({ url: `sqlite:${path}`, checkpointEveryMs: 0 });
  await store.close();
  const db = new BetterSqlite3(path);
  db.pragma('journal_mode = WAL');
  db.prepare(
    `with recursive seq(i) as (select 0 union all select i + 1 from seq where i + 1 < ?)
     insert into trades (id, pool_id, block_number, block_timestamp, tx_hash, tx_from_address, kind, from_token_amount, to_token_amount,
       price_from_in_currency_token, price_to_in_currency_token, price_from_in_usd, price_to_in_usd, volume_in_usd, from_token_address, to_token_address)
     select 'solana_trade' || i, 'solana_pool' || cast(i % ? as integer), 300000000 + i, 1750000000 + i, printf('sig%085d', i), 'wallet' || (i % 97),
       case when i % 2 then 'buy' else 'sell' end, (i % 1000) || '.' || printf('%09d', i), (i % 333) || '.123456', '0.000' || (i + 1), '1.' || (i + 2),
       '0.00' || (i * 3 + 1), '150.' || i, (i % 5000) || '.' || printf('%010d', i), 'So11111111111111111111111111111111111111112', 'mint' || (i % 50)
     from seq`,
  ).run(count, pools);
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
  return `sqlite:${path}`;
}
