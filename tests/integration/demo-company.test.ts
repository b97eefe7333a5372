import { createHash } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { postgresTransactWithDemo } from '../../server/src/adapters/postgres/stores';
import { seedDemoCompany } from '../../server/src/features/demo';
import { createTestApp } from '../support/app';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { createTenant } from '../support/fixtures';

let db: TestDatabase;
const seed = () => seedDemoCompany(db.features(), postgresTransactWithDemo(db.db));
const count = async (table: 'tenants' | 'jobs' | 'candidates' | 'applications' | 'employees') =>
  Number((await db.db.selectFrom(table).select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);

beforeEach(async () => {
  db = await createTestDatabase();
});
afterEach(async () => {
  await db.drop();
});

describe('demo company', () => {
  it('loads a clearly marked demo tenant with people, two open jobs with Chinese competency models, and candidates at every stage', async () => {
    const result = await seed();
    expect(result.seeded).toBe(true);
    const tenant = await db.db.selectFrom('tenants').selectAll().executeTakeFirstOrThrow();
    expect(tenant).toMatchObject({ name: '星河科技（演示）', is_demo: true, time_zone: 'Asia/Shanghai' });
    expect(await count('employees')).toBe(8);
    const jobs = await db.db.selectFrom('jobs').select(['title', 'status']).orderBy('title').execute();
    expect(jobs).toEqual([
      { title: '产品经理（招聘方向）', status: 'open' },
      { title: '高级后端工程师', status: 'open' },
    ]);
    const competencies = await db.db.selectFrom('competencies').select(['name', 'weight']).execute();
    expect(competencies.map((c) => c.name)).toContain('系统设计');
    const stages = await db.db.selectFrom('applications').select('stage').execute();
    expect(new Set(stages.map((s) => s.stage))).toEqual(new Set(['applied', 'screening', 'interviewing', 'offer', 'hired', 'rejected']));
    const rooms = await db.db.selectFrom('rooms').select('name').execute();
    expect(rooms).toHaveLength(2);
  });

  it('never seeds a database that already has data, and seeds only once', async () => {
    expect((await seed()).seeded).toBe(true);
    expect((await seed()).seeded).toBe(false);
    expect(await count('tenants')).toBe(1);

    const other = await createTestDatabase();
    try {
      await createTenant(other.db, { name: '真实公司' });
      const result = await seedDemoCompany(other.features(), postgresTransactWithDemo(other.db));
      expect(result.seeded).toBe(false);
      expect(await other.db.selectFrom('jobs').selectAll().execute()).toEqual([]);
    } finally {
      await other.drop();
    }
  });

  it('seeds once when two instances start on the same empty database together', async () => {
    const results = await Promise.all([seed(), seed(), seed()]);
    expect(results.filter((r) => r.seeded)).toHaveLength(1);
    expect(await count('tenants')).toBe(1);
    expect(await count('candidates')).toBe(8);
  });

  it('offers a demo sign-in for demo employees only, and only where it is enabled', async () => {
    await seed();
    const real = await createTenant(db.db, { name: '真实公司' });
    const demo = createTestApp(db, { devLogin: true });
    const people = await demo.http.get('/api/dev/employees').expect(200);
    expect(people.body.items.map((p: { name: string }) => p.name)).toContain('周敏');
    expect(people.body.items.every((p: { tenantName: string }) => p.tenantName === '星河科技（演示）')).toBe(true);

    const zhoumin = people.body.items.find((p: { name: string }) => p.name === '周敏');
    const session = await demo.http.post('/api/dev/sessions').send({ employeeId: zhoumin.id }).expect(201);
    expect(session.body.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const jobs = await demo.http.get('/api/jobs').set({ authorization: `Bearer ${session.body.token}` }).expect(200);
    expect(jobs.body.items).toHaveLength(2);
    const stored = await db.db.selectFrom('sessions').select('token_hash').execute();
    // Only a SHA-256 of the token is stored.
    const digest = createHash('sha256').update(session.body.token).digest();
    expect(stored.filter((s) => s.token_hash.equals(digest))).toHaveLength(1);

    const refused = await demo.http.post('/api/dev/sessions').send({ employeeId: real.employees.hr.id }).expect(404);
    expect(refused.body.code).toBe('NOT_FOUND');

    const production = createTestApp(db, { devLogin: false });
    await production.http.get('/api/dev/employees').expect(404);
    await production.http.post('/api/dev/sessions').send({ employeeId: zhoumin.id }).expect(404);
  });
});
