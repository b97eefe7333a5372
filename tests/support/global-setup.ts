import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { connectDatabase } from '../../server/src/adapters/postgres/database';
import { startEmbeddedPostgres } from '../../server/src/adapters/postgres/embedded-postgres';
import { migrateToLatest } from '../../server/src/adapters/postgres/migrator';
import { createLogger } from '../../server/src/observability/logger';
import { freePort } from './free-port';
import { databaseUrl } from './database-url';

declare module 'vitest' {
  export interface ProvidedContext {
    pgAdminUrl: string;
    pgTemplate: string;
  }
}

/**
 * One PostgreSQL for the whole run: the server named by DATABASE_URL (CI: 127.0.0.1:5432), or an embedded one in a
 * temporary directory. A template database is migrated once; every test file clones its own database from it.
 */
export default async function setup(project: TestProject) {
  const log = createLogger({ level: 'silent' });
  let embedded: Awaited<ReturnType<typeof startEmbeddedPostgres>> | undefined;
  let tempDir: string | undefined;
  let adminUrl = process.env.DATABASE_URL;
  if (!adminUrl) {
    tempDir = mkdtempSync(join(tmpdir(), 'hirebridge-test-pg-'));
    // As root, PostgreSQL runs as the postgres user, which must be able to reach its data directory.
    chmodSync(tempDir, 0o755);
    embedded = await startEmbeddedPostgres({
      dataDir: join(tempDir, 'pg'),
      port: await freePort(),
      log,
      // Test data is disposable: skip the fsync cost.
      settings: { fsync: 'off', synchronous_commit: 'off', full_page_writes: 'off' },
    });
    adminUrl = embedded.url;
  }

  const template = `hb_template_${process.pid}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`drop database if exists ${template}`);
  await admin.query(`create database ${template}`);
  const handle = connectDatabase({ url: databaseUrl(adminUrl, template), poolMax: 1, log });
  await migrateToLatest(handle.db as never);
  await handle.close();

  project.provide('pgAdminUrl', adminUrl);
  project.provide('pgTemplate', template);

  return async () => {
    await admin.query(`drop database if exists ${template} with (force)`).catch(() => undefined);
    const leftovers = await admin.query<{ datname: string }>(`select datname from pg_database where datname like 'hb_t_${process.pid}_%'`);
    for (const row of leftovers.rows) await admin.query(`drop database if exists ${row.datname} with (force)`).catch(() => undefined);
    await admin.end();
    await embedded?.stop();
    if (tempDir) rmSync(tempDir, { recursive: true, force: true });
  };
}
