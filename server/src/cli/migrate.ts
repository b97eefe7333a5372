import { ConfigError, loadConfig } from '@hirebridge/config';
import { connectDatabase } from '../adapters/postgres/database';
import { startEmbeddedPostgres } from '../adapters/postgres/embedded-postgres';
import { migrateToLatest } from '../adapters/postgres/migrator';
import { createLogger } from '../observability/logger';

/** `npm run db:migrate`: apply pending migrations to DATABASE_URL, or to the embedded cluster when it is unset. */
try {
  const config = loadConfig(process.env);
  const log = createLogger({ level: config.logLevel === 'info' ? 'warn' : config.logLevel });
  const embedded = config.database.url
    ? undefined
    : await startEmbeddedPostgres({ dataDir: config.database.embeddedDataDir, port: config.database.embeddedPort, log });
  const database = connectDatabase({ url: config.database.url ?? embedded!.url, poolMax: 1, log });
  try {
    const applied = await migrateToLatest(database.db as never);
    console.log(applied.length ? `applied: ${applied.join(', ')}` : 'database is up to date');
  } finally {
    await database.close();
    await embedded?.stop();
  }
} catch (error) {
  if (error instanceof ConfigError) {
    console.error(`HireBridge cannot migrate. ${error.message}`);
    process.exit(78); // EX_CONFIG, like the server
  }
  console.error(`migration failed: ${(error as Error).message}`);
  process.exit(1);
}
