import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../support/database';

describe('test harness', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    await db.drop();
  });

  it('gives each file its own migrated database in a pinned zone', async () => {
    const tables = await db.db.introspection.getTables();
    expect(tables.map((t) => t.name)).toContain('competency_models');
    expect(process.env.TZ).toBe('Asia/Shanghai');
  });
});
