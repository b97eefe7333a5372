import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixedClock } from '../../server/src/ports/clock';
import { createTestApp, type TestApp } from '../support/app';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { competencyModelInput, createTenant, signIn, type TenantFixture } from '../support/fixtures';

/**
 * 招聘周期 (time to hire) on real PostgreSQL with the injected clock: applications moved through their stages over
 * the HTTP API at known times, so the stage history holds the hire; medians, p90 and means per job; another
 * department's job stays out of HR's report (admins see it); the chart is a real PNG.
 * Now: Monday 23 November 2026, 10:00 in Shanghai; 本月 starts 1 November 00:00 Shanghai (31 October 16:00Z).
 */
const now = '2026-11-23T02:00:00Z';
const clock = fixedClock(now);
const month = 30 * 86_400_000;
const day = 86_400_000;
const png = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

let db: TestDatabase;
let api: TestApp;
let t: TenantFixture;
let hr: { authorization: string };
let admin: { authorization: string };
let interviewer: { authorization: string };
const jobs: Record<'backend' | 'product' | 'sales', string> = { backend: '', product: '', sales: '' };
let serial = 0;

/** A candidate applies at `appliedAt`, moves to offer a day later, and is hired at `hiredAt` (or stays at offer). */
async function hire(job: keyof typeof jobs, hiredAt: string | null, days: number) {
  serial += 1;
  const hired = hiredAt ? new Date(hiredAt) : new Date(now);
  const applied = new Date(hired.getTime() - days * day);
  const candidate = await api.http.post('/api/candidates').set(admin).send({ name: `候选人${serial}` }).expect(201);
  const application = await api.http.post('/api/applications').set(admin).send({ candidateId: candidate.body.id, jobId: jobs[job] }).expect(201);
  // Rows are stamped by the database's now(); the history is stamped by the clock.
  await sql`update applications set created_at = ${applied} where id = ${application.body.id}`.execute(db.db);
  clock.set(new Date(applied.getTime() + 3_600_000));
  for (const to of ['screening', 'interviewing', 'offer']) {
    await api.http.post(`/api/applications/${application.body.id}/stage`).set(admin).send({ to }).expect(200);
  }
  if (hiredAt) {
    clock.set(hired);
    await api.http.post(`/api/applications/${application.body.id}/stage`).set(admin).send({ to: 'hired' }).expect(200);
  }
  clock.set(now);
  return application.body.id as string;
}

beforeAll(async () => {
  db = await createTestDatabase();
  api = createTestApp(db, { clock });
  t = await createTenant(db.db);
  hr = { authorization: `Bearer ${await signIn(db.db, t, t.employees.hr.id, month)}` };
  admin = { authorization: `Bearer ${await signIn(db.db, t, t.employees.admin.id, month)}` };
  interviewer = { authorization: `Bearer ${await signIn(db.db, t, t.employees.interviewer.id, month)}` };
  const job = async (title: string, departmentId: string) => {
    const created = await api.http.post('/api/jobs').set(admin).send({ title, departmentId, rounds: [{ name: '一面', durationMinutes: 60 }] }).expect(201);
    await api.http.put(`/api/jobs/${created.body.id}/competency-model`).set(admin).send(competencyModelInput()).expect(201);
    await api.http.post(`/api/jobs/${created.body.id}/status`).set(admin).send({ status: 'open' }).expect(200);
    return created.body.id as string;
  };
  jobs.backend = await job('后端工程师', t.departmentId);
  jobs.product = await job('产品经理', t.departmentId);
  jobs.sales = await job('销售代表', t.otherDepartmentId); // 销售部: outside HR's scope (their own department)

  // 后端: 10, 20, 30 days → median 20, p90 30, mean 20. Plus one hired before 本月 and one still at offer.
  await hire('backend', '2026-11-05T02:00:00Z', 10);
  await hire('backend', '2026-11-12T02:00:00Z', 20);
  await hire('backend', '2026-11-20T02:00:00Z', 30);
  await hire('backend', '2026-10-20T02:00:00Z', 50);
  await hire('backend', null, 3);
  // 产品: 5, 7, 9, 40 → median 8, p90 40 (nearest rank 4 of 4), mean 15.25 → 15.3.
  await hire('product', '2026-11-02T02:00:00Z', 5);
  await hire('product', '2026-11-18T06:00:00Z', 7);
  await hire('product', '2026-11-21T02:00:00Z', 9);
  await hire('product', '2026-11-22T02:00:00Z', 40);
  // 销售 (other department): 3 days.
  await hire('sales', '2026-11-10T02:00:00Z', 3);
  // The first minute of 本月 in Shanghai counts; the last minute of October does not.
  await hire('sales', '2026-10-31T16:00:00Z', 4);
  await hire('sales', '2026-10-31T15:59:00Z', 4);
}, 120_000);

afterAll(async () => {
  await db?.drop();
});

describe('time to hire', () => {
  it('gives HR median, p90 and mean days per job for hires in the period, slowest first, in their departments only', async () => {
    const report = (await api.http.get('/api/reports/time-to-hire?period=month').set(hr).expect(200)).body;
    expect(report).toMatchObject({ period: 'month', from: '2026-10-31T16:00:00.000Z', to: '2026-11-23T02:00:00.000Z', hires: 7, medianDays: 10, p90Days: 40 });
    expect(report.jobs).toEqual([
      { jobId: jobs.backend, jobTitle: '后端工程师', hires: 3, medianDays: 20, p90Days: 30, meanDays: 20 },
      { jobId: jobs.product, jobTitle: '产品经理', hires: 4, medianDays: 8, p90Days: 40, meanDays: 15.3 },
    ]);
    expect(JSON.stringify(report)).not.toContain('销售代表');
  });

  it('shows admins every department, and the period boundary is local midnight', async () => {
    const report = (await api.http.get('/api/reports/time-to-hire?period=month').set(admin).expect(200)).body;
    // [3, 4, 5, 7, 9, 10, 20, 30, 40]: median 9, p90 = the 9th of 9 = 40.
    expect(report).toMatchObject({ hires: 9, medianDays: 9, p90Days: 40 });
    expect(report.jobs.find((j: { jobId: string }) => j.jobId === jobs.sales)).toEqual({ jobId: jobs.sales, jobTitle: '销售代表', hires: 2, medianDays: 3.5, p90Days: 4, meanDays: 3.5 });
  });

  it('follows the period: the October hire counts over 90 days, nothing over the last 7 days but the latest hires', async () => {
    const ninety = (await api.http.get('/api/reports/time-to-hire?period=90d').set(hr).expect(200)).body;
    expect(ninety.jobs.find((j: { jobId: string }) => j.jobId === jobs.backend)).toMatchObject({ hires: 4, medianDays: 25, p90Days: 50 });
    const week = (await api.http.get('/api/reports/time-to-hire?period=7d').set(hr).expect(200)).body;
    expect(week.jobs.map((j: { jobTitle: string; hires: number }) => [j.jobTitle, j.hires])).toEqual([['后端工程师', 1], ['产品经理', 3]]);
    // Default period: 30 days.
    expect((await api.http.get('/api/reports/time-to-hire').set(hr).expect(200)).body.period).toBe('30d');
    expect((await api.http.get('/api/reports/time-to-hire?period=forever').set(hr).expect(400)).body.code).toBe('VALIDATION_FAILED');
  });

  it('draws the medians per job as a PNG, and an empty period as a PNG that says so', async () => {
    const chart = await api.http.get('/api/charts/time-to-hire.png?period=month').set(hr).buffer(true).expect(200);
    expect(chart.type).toBe('image/png');
    const image = chart.body as Buffer;
    expect([...image.subarray(0, 8)]).toEqual(png);
    expect([image.readUInt32BE(16), image.readUInt32BE(20)]).toEqual([720, 420]);
    expect(image.length).toBeGreaterThan(5000);
    const otherHr = await db.db.insertInto('employees').values({ tenant_id: t.tenantId, department_id: t.otherDepartmentId, name: '销售HR', platform_user_id: `sales-hr-${Date.now()}`, roles: ['hr'] }).returning('id').executeTakeFirstOrThrow();
    const salesHr = { authorization: `Bearer ${await signIn(db.db, t, otherHr.id, month)}` };
    const sales = (await api.http.get('/api/reports/time-to-hire?period=month').set(salesHr).expect(200)).body;
    expect(sales.jobs.map((j: { jobTitle: string }) => j.jobTitle)).toEqual(['销售代表']);
    const empty = await api.http.get('/api/charts/time-to-hire.png?period=7d').set(salesHr).buffer(true).expect(200);
    expect([...(empty.body as Buffer).subarray(0, 8)]).toEqual(png);
    expect(Buffer.compare(empty.body as Buffer, image)).not.toBe(0);
  });

  it('refuses interviewers with FORBIDDEN and strangers with 401', async () => {
    expect((await api.http.get('/api/reports/time-to-hire?period=month').set(interviewer).expect(403)).body.code).toBe('FORBIDDEN');
    expect((await api.http.get('/api/charts/time-to-hire.png?period=month').set(interviewer).expect(403)).body.code).toBe('FORBIDDEN');
    expect((await api.http.get('/api/reports/time-to-hire?period=month').expect(401)).body.code).toBe('UNAUTHENTICATED');
  });
});

describe('the numbers beside the other charts', () => {
  it('gives interviewer load and no-show rates by job over the same named period as the charts', async () => {
    const load = (await api.http.get('/api/reports/interviewer-load?period=month').set(hr).expect(200)).body;
    expect(load).toEqual({ period: 'month', from: '2026-10-31T16:00:00.000Z', to: '2026-11-23T02:00:00.000Z', items: [] });
    const noShows = (await api.http.get('/api/reports/no-shows/by-job?period=quarter').set(hr).expect(200)).body;
    expect(noShows).toMatchObject({ period: 'quarter', from: '2026-09-30T16:00:00.000Z', to: '2026-11-23T02:00:00.000Z', items: [] });
    expect((await api.http.get('/api/reports/interviewer-load?period=month').set(interviewer).expect(403)).body.code).toBe('FORBIDDEN');
  });
});
