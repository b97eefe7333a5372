import type { Server } from 'node:http';
import { sql } from 'kysely';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixedClock } from '../../server/src/ports/clock';
import { createTestApp } from '../support/app';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { competencyModelInput, createTenant, signIn, type TenantFixture } from '../support/fixtures';
import { ensureBuilt, launchBrowser, skipBrowser } from './browser';
import { closeServer, listenLocally, phonePage, visiblePage } from './page-helpers';

/**
 * The interviewer's 待交评分卡 page in Chromium on the H5 build against the real server: scorecards still owed for
 * interviews that ended last week, yesterday and an hour ago (older than the today/upcoming list reaches), most
 * overdue first, each with its deadline in Beijing time and 已逾期 once past it; a submitted one and a shadow seat are
 * not there; a tap opens the scorecard.
 */
const clock = fixedClock('2026-11-25T04:00:00Z'); // Wednesday 12:00 in Beijing
const month = 30 * 86_400_000;

let db: TestDatabase;
let server: Server;
let baseUrl: string;
let browser: Browser;
let t: TenantFixture;
const iv: Record<string, string> = {};

const { text, demoSignIn } = visiblePage(15_000);

describe.skipIf(skipBrowser)('pending scorecards in Chromium on the H5 build', () => {
  beforeAll(async () => {
    const h5Dir = ensureBuilt('h5');
    db = await createTestDatabase();
    t = await createTenant(db.db, { isDemo: true });
    ({ server, baseUrl } = await listenLocally());
    const api = createTestApp(db, { clock, devLogin: true, publicUrl: baseUrl, h5Dir });
    server.on('request', api.app.callback());

    const admin = { authorization: `Bearer ${await signIn(db.db, t, t.employees.admin.id, month)}` };
    const rounds = Array.from({ length: 5 }, (_, i) => ({ name: `第${i + 1}轮`, durationMinutes: 60 }));
    const job = await api.http.post('/api/jobs').set(admin).send({ title: '产品经理', departmentId: t.departmentId, rounds }).expect(201);
    await api.http.put(`/api/jobs/${job.body.id}/competency-model`).set(admin).send(competencyModelInput()).expect((r) => expect(r.status).toBeLessThan(300));
    await api.http.post(`/api/jobs/${job.body.id}/status`).set(admin).send({ status: 'open' }).expect(200);
    const candidate = await api.http.post('/api/candidates').set(admin).send({ name: '王可欣', phone: '13612345678', resumeText: '' }).expect(201);
    const application = await api.http.post('/api/applications').set(admin).send({ candidateId: candidate.body.id, jobId: job.body.id }).expect(201);
    await db.db.updateTable('applications').set({ stage: 'interviewing' }).where('id', '=', application.body.id).execute();
    const model = await db.db.selectFrom('competency_models').select('id').where('job_id', '=', job.body.id).executeTakeFirstOrThrow();
    const roundIds = (await db.db.selectFrom('interview_rounds').select('id').where('job_id', '=', job.body.id).orderBy('position').execute()).map((r) => r.id);
    const add = async (key: string, startsAt: string, role: 'lead' | 'member' | 'shadow') => {
      const row = await db.db.insertInto('interviews').values({
        tenant_id: t.tenantId, application_id: application.body.id, round_id: roundIds[Object.keys(iv).length]!, competency_model_id: model.id, status: 'completed',
        starts_at: new Date(startsAt), ends_at: new Date(new Date(startsAt).getTime() + 3_600_000), location: '', schedule_version: 1,
      }).returning('id').executeTakeFirstOrThrow();
      iv[key] = row.id;
      await db.db.insertInto('interview_panelists').values({ tenant_id: t.tenantId, interview_id: row.id, employee_id: t.employees.interviewer.id, role }).execute();
    };
    await add('lastWeek', '2026-11-18T02:00:00Z', 'member');
    await add('yesterday', '2026-11-24T02:00:00Z', 'lead');
    await add('justEnded', '2026-11-25T02:00:00Z', 'lead');
    await add('submitted', '2026-11-24T05:00:00Z', 'lead');
    await add('shadow', '2026-11-24T07:00:00Z', 'shadow');
    await sql`INSERT INTO scorecards (tenant_id, interview_id, interviewer_id, status, recommendation, submitted_at)
              VALUES (${t.tenantId}, ${iv.submitted}, ${t.employees.interviewer.id}, 'submitted', 'yes', ${new Date('2026-11-24T07:00:00Z')})`.execute(db.db);
    await sql`INSERT INTO scorecards (tenant_id, interview_id, interviewer_id, status) VALUES (${t.tenantId}, ${iv.lastWeek}, ${t.employees.interviewer.id}, 'draft')`.execute(db.db);
    for (const n of [1, 2]) {
      await sql`INSERT INTO scorecard_nudges (tenant_id, interview_id, interviewer_id, kind, recipient_employee_id, outbox_key, sent_at)
                VALUES (${t.tenantId}, ${iv.lastWeek}, ${t.employees.interviewer.id}, 'nudge', ${t.employees.interviewer.id}, ${`chat:e2e-${n}-${iv.lastWeek}`}, ${new Date('2026-11-19T03:00:00Z')})`.execute(db.db);
    }
    browser = await launchBrowser();
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    await closeServer(server);
    await db?.drop();
  });

  it('shows what is owed, overdue first, with Beijing deadlines and 已逾期, and opens the scorecard', async () => {
    const { context, page, pageErrors } = await phonePage(browser);
    await demoSignIn(page, baseUrl, t.employees.interviewer.id, '/pages/interviewer/pending/index');

    const lastWeek = await text(page, `#pending-${iv.lastWeek}`);
    expect(lastWeek).toContain('王可欣 · 产品经理');
    expect(lastWeek).toContain('截止 11月19日 11:00（北京时间）');
    expect(lastWeek).toContain('已逾期 Overdue');
    expect(lastWeek).toContain('草稿');
    expect(lastWeek).toContain('已提醒 2 次');
    const yesterday = await text(page, `#pending-${iv.yesterday}`);
    expect(yesterday).toContain('截止 11月25日 11:00（北京时间）');
    expect(yesterday).toContain('已逾期');
    const justEnded = await text(page, `#pending-${iv.justEnded}`);
    expect(justEnded).toContain('截止 11月26日 11:00（北京时间）');
    expect(justEnded).not.toContain('已逾期');
    expect(justEnded).not.toContain('已提醒');

    const shown = await page.locator('.interview-item >> visible=true').evaluateAll((els) => els.map((e) => e.id));
    expect(shown).toEqual([`pending-${iv.lastWeek}`, `pending-${iv.yesterday}`, `pending-${iv.justEnded}`]);

    await page.locator(`#pending-${iv.yesterday} >> visible=true`).first().click();
    await page.waitForURL(new RegExp(`pages/interviewer/scorecard/index\\?id=${iv.yesterday}`), { timeout: 15_000 });
    expect(pageErrors).toEqual([]);
    await context.close();
  });
});
