import type { Server } from 'node:http';
import { sql } from 'kysely';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixedClock } from '../../server/src/ports/clock';
import { createTestApp, type TestApp } from '../support/app';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { competencyModelInput, createTenant, signIn, type TenantFixture } from '../support/fixtures';
import { ensureBuilt, launchBrowser, skipBrowser } from './browser';
import { closeServer, listenLocally, phonePage, visiblePage } from './page-helpers';

/**
 * The HR reports page in a real browser on the H5 build against the real server (demo mode): HR signs in from the
 * interviewer nav's 招聘报表 link → four charts drawn on the server arrive as PNG images fetched with the session →
 * the tables under them show the seeded numbers → another period refetches charts and numbers. An interviewer
 * without an HR role is told they lack permission.
 * Now: Monday 23 November 2026, 10:00 in Shanghai.
 */
const now = '2026-11-23T02:00:00Z';
const clock = fixedClock(now);
const month = 30 * 86_400_000;
const day = 86_400_000;

let db: TestDatabase;
let server: Server;
let baseUrl: string;
let browser: Browser;
let api: TestApp;
let t: TenantFixture;
let admin: { authorization: string };
let backendJob: string;
let salesJob: string;
let serial = 0;

const { text, tap, until, demoSignIn } = visiblePage(20_000);

/** The rows of a numbers table as text cells (role=row / role=cell as a screen reader reads them). */
async function tableRows(page: Page, id: string): Promise<string[][]> {
  const table = page.locator(`#${id} >> visible=true`).first();
  await table.waitFor({ timeout: 20_000 });
  return table.locator('[role=row]').evaluateAll((rows) => rows.map((r) => [...r.querySelectorAll('[role=cell],[role=rowheader],[role=columnheader]')].map((c) => (c.textContent ?? '').trim())));
}

/** What the test reads of an <img> in the page (the root tsconfig has no DOM library). */
interface ImageElement { complete: boolean; naturalWidth: number; naturalHeight: number; src: string }

/** A chart image as the page shows it: decoded by the browser, and the PNG behind its data URL. */
async function chartImage(page: Page, kind: string) {
  const img = page.locator(`#img-${kind} img >> visible=true`).first();
  await img.waitFor({ timeout: 20_000 });
  await page.waitForFunction((el) => (el as unknown as ImageElement).complete && (el as unknown as ImageElement).naturalWidth > 0, await img.elementHandle(), { timeout: 20_000 });
  const { src, naturalWidth, naturalHeight } = await img.evaluate((el) => {
    const i = el as unknown as ImageElement;
    return { src: i.src, naturalWidth: i.naturalWidth, naturalHeight: i.naturalHeight };
  });
  expect(src.startsWith('data:image/png;base64,')).toBe(true);
  const png = Buffer.from(src.slice('data:image/png;base64,'.length), 'base64');
  return { naturalWidth, naturalHeight, png };
}

/** An application created `daysBefore` its hire (or now) and moved through the stages over the API at known times. */
async function application(jobId: string, createdAt: string, to: 'applied' | 'screening' | 'hired', hiredAt?: string) {
  serial += 1;
  const candidate = await api.http.post('/api/candidates').set(admin).send({ name: `候选人${serial}` }).expect(201);
  const created = await api.http.post('/api/applications').set(admin).send({ candidateId: candidate.body.id, jobId }).expect(201);
  const id = created.body.id as string;
  await sql`update applications set created_at = ${new Date(createdAt)} where id = ${id}`.execute(db.db);
  clock.set(new Date(new Date(createdAt).getTime() + day));
  const steps = to === 'screening' ? ['screening'] : to === 'hired' ? ['screening', 'interviewing', 'offer'] : [];
  for (const stage of steps) await api.http.post(`/api/applications/${id}/stage`).set(admin).send({ to: stage }).expect(200);
  if (to === 'hired') {
    clock.set(hiredAt!);
    await api.http.post(`/api/applications/${id}/stage`).set(admin).send({ to: 'hired' }).expect(200);
  }
  clock.set(now);
  return id;
}

describe.skipIf(skipBrowser)('HR reports in Chromium on the H5 build', () => {
  beforeAll(async () => {
    const h5Dir = ensureBuilt('h5');
    db = await createTestDatabase();
    t = await createTenant(db.db, { isDemo: true });
    ({ server, baseUrl } = await listenLocally());
    api = createTestApp(db, { clock, features: db.features(clock), devLogin: true, publicUrl: baseUrl, h5Dir });
    server.on('request', api.app.callback());
    admin = { authorization: `Bearer ${await signIn(db.db, t, t.employees.admin.id, month)}` };

    const job = async (title: string, departmentId: string) => {
      const created = await api.http.post('/api/jobs').set(admin).send({ title, departmentId, rounds: [{ name: '技术面', durationMinutes: 60 }] }).expect(201);
      await api.http.put(`/api/jobs/${created.body.id}/competency-model`).set(admin).send(competencyModelInput()).expect(201);
      await api.http.post(`/api/jobs/${created.body.id}/status`).set(admin).send({ status: 'open' }).expect(200);
      return created.body.id as string;
    };
    backendJob = await job('后端工程师', t.departmentId);
    salesJob = await job('销售代表', t.otherDepartmentId); // another department: not HR's

    // 近30天 (since 24 October): four applications; two hired after 10 and 6 days; one in screening, one applied.
    const a1 = await application(backendJob, '2026-11-10T02:00:00Z', 'hired', '2026-11-20T02:00:00Z');
    const a2 = await application(backendJob, '2026-11-15T02:00:00Z', 'hired', '2026-11-21T02:00:00Z');
    const a3 = await application(backendJob, '2026-11-18T02:00:00Z', 'screening');
    await application(backendJob, '2026-11-19T02:00:00Z', 'applied');
    // 本年 only: applied in August, hired 31 days later in September.
    await application(backendJob, '2026-08-20T02:00:00Z', 'hired', '2026-09-20T02:00:00Z');
    // Another department's hire, which HR must not see.
    await application(salesJob, '2026-11-01T02:00:00Z', 'hired', '2026-11-04T02:00:00Z');

    // Interviews: two held, one no-show; 面试官 on all three, 用人经理 on one.
    const model = await db.db.selectFrom('competency_models').select('id').where('job_id', '=', backendJob).executeTakeFirstOrThrow();
    const round = await db.db.selectFrom('interview_rounds').select('id').where('job_id', '=', backendJob).executeTakeFirstOrThrow();
    const held = [
      { applicationId: a1, at: '2026-11-12T02:00:00Z', status: 'completed' as const, panel: [t.employees.interviewer.id, t.employees.manager.id] },
      { applicationId: a2, at: '2026-11-16T06:00:00Z', status: 'no_show' as const, panel: [t.employees.interviewer.id] },
      { applicationId: a3, at: '2026-11-19T02:00:00Z', status: 'completed' as const, panel: [t.employees.interviewer.id] },
    ];
    for (const h of held) {
      const starts = new Date(h.at);
      const interview = await db.db.insertInto('interviews').values({
        tenant_id: t.tenantId, application_id: h.applicationId, round_id: round.id, competency_model_id: model.id, status: h.status,
        starts_at: starts, ends_at: new Date(starts.getTime() + 3_600_000), location: '星河大厦 12 层', schedule_version: 1,
      }).returning('id').executeTakeFirstOrThrow();
      await db.db.insertInto('interview_panelists').values(h.panel.map((employeeId, i) => ({
        tenant_id: t.tenantId, interview_id: interview.id, employee_id: employeeId, role: i === 0 ? ('lead' as const) : ('member' as const), focus_competency_ids: [],
      }))).execute();
    }
    browser = await launchBrowser();
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    await closeServer(server);
    await db?.drop();
  });

  it('HR signs in → 招聘报表 → four chart images and their numbers → another period refetches both', async () => {
    const { context, page, pageErrors } = await phonePage(browser);
    const chartRequests: string[] = [];
    page.on('request', (r) => {
      if (r.url().includes('/api/charts/')) chartRequests.push(r.url().replace(baseUrl, ''));
    });

    // Demo sign-in from the interviewer pages, then the nav link that only HR roles get.
    await demoSignIn(page, baseUrl, t.employees.hr.id, '/pages/interviewer/today/index');
    await tap(page, '#nav-hr-reports');
    expect(await text(page, '#signed-in-as')).toContain('招聘专员');

    // The funnel's job picker lists HR's jobs only, the first open one chosen.
    expect(await text(page, '#jobs')).toBe('后端工程师');

    // Four charts, each a PNG the browser decoded.
    for (const kind of ['funnel', 'time-to-hire', 'no-shows', 'interviewer-load']) {
      const image = await chartImage(page, kind);
      expect(image.naturalWidth, kind).toBe(720);
      expect(image.naturalHeight, kind).toBe(420);
      expect([...image.png.subarray(0, 8)], kind).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    }
    // Each went out with the session in the Authorization header, never in the address.
    expect(chartRequests.every((u) => !/token|authorization/i.test(u))).toBe(true);

    expect(await tableRows(page, 'table-funnel')).toEqual([
      ['阶段 Stage', '人数 Count'],
      ['投递', '4'], ['筛选', '3'], ['面试', '2'], ['录用意向', '2'], ['入职', '2'], ['未通过 Rejected', '0'], ['已撤回 Withdrawn', '0'],
    ]);
    expect(await tableRows(page, 'table-time-to-hire')).toEqual([
      ['职位 Job', '录用 Hires', '中位 Median', 'P90', '平均 Mean'],
      ['后端工程师', '2', '8', '10', '8'],
    ]);
    expect(await text(page, '#time-to-hire-summary')).toContain('录用 2 人，中位 8 天，P90 10 天');
    expect(await tableRows(page, 'table-no-shows')).toEqual([
      ['职位 Job', '面试 Interviews', '未到场 No-shows', '比例 Rate'],
      ['后端工程师', '3', '1', '33.3%'],
    ]);
    expect(await tableRows(page, 'table-interviewer-load')).toEqual([
      ['面试官 Interviewer', '面试场数 Interviews'],
      ['面试官', '3'], ['用人经理', '1'],
    ]);
    // A screen reader finds each table by its caption.
    expect(await page.getByRole('table', { name: '招聘周期（天）Time to hire (days)' }).count()).toBeGreaterThan(0);
    expect(await text(page, '#hr-reports')).not.toContain('销售代表');

    // 本年: the August application and its September hire join; charts and numbers are fetched again.
    const before = chartRequests.length;
    const firstFunnel = (await chartImage(page, 'funnel')).png;
    await tap(page, '#period-year');
    await until(page, '#table-time-to-hire', /后端工程师3/);
    expect(await tableRows(page, 'table-time-to-hire')).toEqual([
      ['职位 Job', '录用 Hires', '中位 Median', 'P90', '平均 Mean'],
      ['后端工程师', '3', '10', '31', '15.7'],
    ]);
    expect((await tableRows(page, 'table-funnel')).slice(1, 6)).toEqual([['投递', '5'], ['筛选', '4'], ['面试', '3'], ['录用意向', '3'], ['入职', '3']]);
    const refetched = chartRequests.slice(before);
    expect(refetched.filter((u) => u.includes('period=year')).map((u) => u.split('?')[0]).sort()).toEqual([
      '/api/charts/funnel.png', '/api/charts/interviewer-load.png', '/api/charts/no-shows.png', '/api/charts/time-to-hire.png',
    ]);
    const yearFunnel = await chartImage(page, 'funnel');
    expect(yearFunnel.naturalWidth).toBe(720);
    expect(Buffer.compare(yearFunnel.png, firstFunnel)).not.toBe(0);
    expect(await page.locator('#period-year >> visible=true').getAttribute('aria-checked')).toBe('true');
    expect(pageErrors).toEqual([]);
    await context.close();
  }, 120_000);

  it('tells an interviewer without an HR role that they lack permission, and shows no numbers', async () => {
    const { context, page } = await phonePage(browser);
    const reportCalls: string[] = [];
    page.on('request', (r) => {
      if (/\/api\/(charts|reports)\//.test(r.url())) reportCalls.push(r.url());
    });
    await demoSignIn(page, baseUrl, t.employees.interviewer.id, '/pages/hr/reports/index');
    expect(await text(page, '#no-permission')).toContain('只有 HR、用人经理和管理员可以查看招聘报表');
    expect(await text(page, '#no-permission')).toContain('Only HR, hiring managers and admins');
    expect(await page.locator('#table-funnel').count()).toBe(0);
    expect(await page.locator('[id^=img-]').count()).toBe(0);
    expect(reportCalls).toEqual([]);
    // Their interviewer pages carry no link to the reports.
    await page.goto(`${baseUrl}/h5/#/pages/interviewer/today/index`);
    await text(page, '.nav');
    await page.waitForTimeout(500);
    expect(await page.locator('#nav-hr-reports').count()).toBe(0);
    await context.close();
  }, 60_000);
});
