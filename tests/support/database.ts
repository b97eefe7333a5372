import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { inject } from 'vitest';
import { connectDatabase, type DatabaseHandle } from '../../server/src/adapters/postgres/database';
import { postgresStores, postgresTransact } from '../../server/src/adapters/postgres/stores';
import type { FeatureContext } from '../../server/src/features/context';
import { createLogger } from '../../server/src/observability/logger';
import { fixedClock, type Clock } from '../../server/src/ports/clock';
import { databaseUrl } from './database-url';

export interface TestDatabase extends DatabaseHandle {
  readonly url: string;
  readonly name: string;
  features(clock?: Clock): FeatureContext;
  drop(): Promise<void>;
}

const adminQuery = async (sql: string) => {
  const admin = new pg.Client({ connectionString: inject('pgAdminUrl') });
  await admin.connect();
  try {
    await admin.query(sql);
  } finally {
    await admin.end();
  }
};

/** A fresh, migrated database of its own for one test file (a clone of the run's template). */
export async function createTestDatabase(): Promise<TestDatabase> {
  const name = `hb_t_${process.ppid}_${randomBytes(5).toString('hex')}`;
  for (let attempt = 0; ; attempt++) {
    try {
      await adminQuery(`create database ${name} template ${inject('pgTemplate')}`);
      break;
    } catch (error) {
      // Two clones of one template at the same instant can collide ("source database is being accessed").
      if (attempt >= 20) throw error;
      await new Promise((r) => setTimeout(r, 50 + Math.random() * 200));
    }
  }
  const url = databaseUrl(inject('pgAdminUrl'), name);
  const handle = connectDatabase({ url, poolMax: 5, log: createLogger({ level: 'silent' }) });
  return {
    ...handle,
    url,
    name,
    features: (clock = fixedClock('2026-11-20T02:00:00Z')) => ({
      stores: postgresStores(handle.db, undefined, clock),
      transact: postgresTransact(handle.db, undefined, clock),
      clock,
    }),
    async drop() {
      await handle.close();
      await adminQuery(`drop database if exists ${name} with (force)`);
    },
  };
}
