import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import type { Logger } from '../../observability/logger';
import type { Database } from './schema';

// Return timestamptz as Date (the default) but bigint/int8 as string: ids generated as bigint stay exact.
pg.types.setTypeParser(pg.types.builtins.INT8, (value: string) => value);

export type Db = Kysely<Database>;

export interface DatabaseHandle {
  readonly db: Db;
  readonly pool: pg.Pool;
  /** A cheap round trip with a short timeout, for /readyz. */
  ping(timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

export function connectDatabase(options: { url: string; poolMax: number; log: Logger; applicationName?: string }): DatabaseHandle {
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.poolMax,
    connectionTimeoutMillis: 3000,
    idleTimeoutMillis: 30000,
    application_name: options.applicationName ?? 'hirebridge',
  });
  // An idle client losing its connection (server restart, network cut) must not crash the process; the next query
  // reconnects or fails with DATABASE_UNAVAILABLE.
  pool.on('error', (error) => options.log.debug({ err: error }, 'idle database connection lost'));
  // pg-pool listens for errors only on idle clients. A connection lost while a client is checked out (a query in
  // flight, the readiness ping, a migration) makes that client emit 'error' with no listener, which kills the process.
  // The query itself still fails (-> DATABASE_UNAVAILABLE), and the pool drops the broken client on release.
  pool.on('connect', (client) => {
    client.on('error', (error) => options.log.debug({ err: error }, 'database connection lost while in use'));
  });
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  let closed = false;
  return {
    db,
    pool,
    async ping(timeoutMs = 2000) {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`database did not answer within ${timeoutMs} ms`)), timeoutMs);
      });
      try {
        await Promise.race([sql`select 1`.execute(db), timeout]);
      } finally {
        clearTimeout(timer);
      }
    },
    async close() {
      if (closed) return;
      closed = true;
      await db.destroy();
    },
  };
}
