import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Migrator, sql, type Kysely, type Migration, type MigrationProvider, type MigrationResultSet } from 'kysely';

const migrationsDir = fileURLToPath(new URL('../../../migrations/', import.meta.url));

/**
 * Migrations are numbered SQL files in server/migrations, applied in name order, forward only. SQL (not TS) so the
 * provider only reads text: Kysely's file loader imports modules, which fails under vitest on Node 20.
 */
class SqlFileMigrationProvider implements MigrationProvider {
  async getMigrations(): Promise<Record<string, Migration>> {
    const migrations: Record<string, Migration> = {};
    for (const file of readdirSync(migrationsDir).filter((f) => /^\d{4}_[a-z0-9_]+\.sql$/.test(f)).sort()) {
      const text = readFileSync(migrationsDir + file, 'utf8');
      migrations[file.replace(/\.sql$/, '')] = {
        // Run as one simple-protocol query so a file may hold many statements.
        up: async (db: Kysely<unknown>) => {
          await sql.raw(text).execute(db);
        },
      };
    }
    return migrations;
  }
}

export class MigrationFailedError extends Error {
  constructor(readonly migration: string | undefined, cause: unknown) {
    super(`database migration ${migration ?? '(unknown)'} failed: ${(cause as Error)?.message ?? String(cause)}`, { cause });
    this.name = 'MigrationFailedError';
  }
}

/**
 * Applies pending migrations. Kysely holds an advisory lock while it does, so several instances starting together
 * apply each migration once.
 */
export async function migrateToLatest(db: Kysely<unknown>): Promise<string[]> {
  const migrator = new Migrator({ db, provider: new SqlFileMigrationProvider() });
  const { error, results } = (await migrator.migrateToLatest()) as MigrationResultSet;
  if (error) {
    const failed = results?.find((r) => r.status === 'Error');
    throw new MigrationFailedError(failed?.migrationName, error);
  }
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}
