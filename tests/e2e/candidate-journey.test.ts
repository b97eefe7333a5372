import type { Server } from 'node:http';
import { sql } from 'kysely';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from '@hirebridge/simulator';
import { postgresTokenCache } from '../../server/src/adapters/postgres/token-cache';
import { wechatCandidateMessenger } from '../../server/src/adapters/wechat/candidate-messenger';
import { createKfContactLink, kfClients, kfDoorbellHandler, kfSender } from '../../server/src/adapters/wechat/kf';
import { miniProgramClients, subscriptionSender } from '../../server/src/adapters/wechat/subscription';
import { createApplication } from '../../server/src/features/applications';
import { createCandidate } from '../../server/src/features/candidates';
import type { FeatureContext } from '../../server/src/features/context';
import { processDueEvents } from '../../server/src/features/inbox';
import { changeJobStatus, createJob, publishCompetencyModel } from '../../server/src/features/jobs';
import { dispatchDueReminders } from '../../server/src/features/reminders';
import { createLogger } from '../../server/src/observability/logger';
import { fixedClock } from '../../server/src/ports/clock';
import { createTestApp } from '../support/app';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { competencyModelInput, createTenant, signIn, type TenantFixture } from '../support/fixtures';
import { ensureBuilt, launchBrowser, skipBrowser } from './browser';
import { closeServer, listenLocally, visiblePage } from './page-helpers';

/**
 * The candidate journey in a real browser on the H5 build, against the real server and the platform simulator:
 * invitation → pick a slot → confirm (with consent) → the reminder reaches the candidate's WeChat (simulator phone
 * page) → check in with the reception code → answer the survey. Nothing in between is faked: the server's clock is
 * moved, and the reminder dispatcher runs as node-schedule would run it.
 */
const corpId = 'wwe2ejourney0001';
const openKfId = 'wkE2eJourneyKf01';
const aesKey = 'jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C';
const env = { HB_E_KF_SECRET: 'kf-secret-e2e', HB_E_KF_TOKEN: 'kfE2eToken', HB_E_KF_AES: aesKey, HB_E_MP_SECRET: 'mp-secret-e2e' };
const log = createLogger({ level: 'silent' });
const clock = fixedClock('2026-11-23T01:00:00Z'); // Monday 09:00 in Beijing
const wechatUser = 'journey-candidate';

let db: TestDatabase;
let sim: Simulator;
let server: Server;
let baseUrl: string;
let browser: Browser;
let tenant: TenantFixture;
let features: FeatureContext;
let hrToken: string;
let applicationId: string;
let roundId: string;
let roomId: string;
let candidateId: string;
let externalUserId: string;

function channels() {
  const tokens = postgresTokenCache(db.db, clock);
  const kf = kfClients({ env, tokens, log, sleep: async () => undefined });
  const mp = miniProgramClients({ env, tokens, log });
  const senders = { kf: kfSender({ env, tokens, log, features, kf }), subscription: subscriptionSender({ env, tokens, log, features, clients: mp }) };
  return { kf, messenger: wechatCandidateMessenger({ features, senders }), inbox: () => processDueEvents(features, { 'event.kf_msg_or_event': kfDoorbellHandler(kf) }) };
}

const hr = (path: string, init: { method?: string; body?: unknown } = {}) =>
  fetch(`${baseUrl}${path}`, {
    method: init.method ?? 'GET',
    headers: { authorization: `Bearer ${hrToken}`, 'content-type': 'application/json' },
    ...(init.body !== undefined && { body: JSON.stringify(init.body) }),
  }).then(async (r) => ({ status: r.status, body: (await r.json()) as Record<string, unknown> }));

const { text, tap } = visiblePage(15_000);
/** Waits until the visible element's text is `expected` (a page reloads after coming back, not at once). */
async function textBecomes(page: Page, selector: string, expected: string): Promise<string> {
  const deadline = Date.now() + 15_000;
  let last = '';
  while (Date.now() < deadline) {
    last = await text(page, selector);
    if (last === expected) return last;
    await page.waitForTimeout(100);
  }
  return last;
}

describe.skipIf(skipBrowser)('candidate journey in Chromium on the H5 build', () => {
  beforeAll(async () => {
    const h5Dir = ensureBuilt('h5');
    db = await createTestDatabase();
    features = db.features(clock);
    sim = await startSimulator({ clock, wecom: { callbackTiming: { timeoutMs: 2000, retryIntervalMs: 10 } } });
    tenant = await createTenant(db.db);
    ({ server, baseUrl } = await listenLocally());
    const web = createTestApp(db, { features, secretsEnv: env, publicUrl: baseUrl, h5Dir });
    server.on('request', web.app.callback());

    const kfApp = await features.stores.platform.insertApp(tenant.tenantId, {
      kind: 'wecom_kf', corpId, agentId: openKfId, secretRef: 'env:HB_E_KF_SECRET', callbackTokenRef: 'env:HB_E_KF_TOKEN', encodingAesKeyRef: 'env:HB_E_KF_AES', apiBaseUrl: sim.url,
    });
    await features.stores.platform.insertApp(tenant.tenantId, {
      kind: 'wechat_miniprogram', corpId: 'wxe2e0a7bd0c1e2f31', agentId: null, secretRef: 'env:HB_E_MP_SECRET', callbackTokenRef: null, encodingAesKeyRef: null, apiBaseUrl: sim.url,
    });
    sim.wecom.addCorp({ corpId, apps: [], kfSecret: env.HB_E_KF_SECRET, callbackToken: 'appToken', encodingAesKey: aesKey });
    sim.wechat.addKfAccount({ corpId, openKfId, name: '星河科技招聘', callbackUrl: `${baseUrl}/callbacks/wecom/${kfApp.id}`, callbackToken: env.HB_E_KF_TOKEN });

    const hrPrincipal = tenant.employees.hr.principal;
    const job = await createJob(features, hrPrincipal, {
      departmentId: tenant.departmentId, title: '后端工程师', description: '', location: '上海', headcount: 1,
      hiringManagerId: tenant.employees.manager.id, ownerHrId: tenant.employees.hr.id, rounds: [{ name: '技术一面', durationMinutes: 60 }],
    });
    await publishCompetencyModel(features, hrPrincipal, job.id, competencyModelInput([60, 40]));
    await changeJobStatus(features, hrPrincipal, job.id, 'open');
    roundId = job.rounds[0]!.id;
    const candidate = await createCandidate(features, hrPrincipal, {
      name: '林晓雨', phone: '13812345678', email: null, source: 'referral', timeZone: null, resumeText: '', talentPool: false,
    });
    candidateId = candidate.id;
    applicationId = (await createApplication(features, hrPrincipal, { candidateId, jobId: job.id })).id;
    roomId = (await db.db.insertInto('rooms').values({ tenant_id: tenant.tenantId, name: '1205 会议室', site: '星河大厦' }).returning('id').executeTakeFirstOrThrow()).id;
    hrToken = await signIn(db.db, tenant, tenant.employees.hr.id, 60 * 24 * 3600_000);

    // The candidate once opened the company's 微信客服 link: reminders can reach their WeChat.
    const { kf, inbox } = channels();
    const { url } = await createKfContactLink(features, kf, { tenantId: tenant.tenantId, candidateId });
    const opened = await sim.wechat.openKfLink(wechatUser, url);
    expect(opened.delivery?.ok).toBe(true);
    externalUserId = opened.externalUserId;
    // …and wrote to it, which opens WeChat's 48-hour window for the company's replies.
    await sim.wechat.customerSays(wechatUser, openKfId, '你好，我收到面试邀请了');
    await inbox();

    browser = await launchBrowser();
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    await closeServer(server);
    await sim?.stop();
    await db?.drop();
  });

  it('invitation → pick slot → confirm → reminder on the phone → check-in → survey', async () => {
    const offered = await hr(`/api/applications/${applicationId}/interviews/offer`, {
      method: 'POST',
      body: { roundId, location: '星河大厦 12 层', roomId, panel: [{ employeeId: tenant.employees.manager.id }] },
    });
    expect(offered.status).toBe(201);
    const interviewId = offered.body.id as string;
    const invitationUrl = offered.body.invitationUrl as string;
    expect(invitationUrl.startsWith(`${baseUrl}/h5/#/pages/invite/index?token=`)).toBe(true);

    const page = await browser.newPage({ viewport: { width: 375, height: 740 }, locale: 'zh-CN' });
    const pageErrors: string[] = [];
    page.on('pageerror', (e) => pageErrors.push(e.message));

    // The invitation: job, status, consent choices, and the button to pick a time.
    await page.goto(invitationUrl);
    expect(await text(page, '#interview')).toContain('后端工程师');
    expect(await text(page, '#status')).toBe('待您选择时间');
    // Consent is never pre-ticked: without it the page explains and goes nowhere.
    await tap(page, '#pick');
    expect(await text(page, '#error')).toContain('请先同意处理个人信息');
    await tap(page, '#consent-personal_data');
    await tap(page, '#pick');

    // The slot picker: the first free time is held, then chosen.
    await page.waitForSelector('.slot', { timeout: 15_000 });
    const first = page.locator('.slot').first();
    const startsAt = await first.getAttribute('data-starts-at');
    expect(startsAt).toBeTruthy();
    await first.click();
    await page.locator('#chosen >> visible=true').getByText('为您保留到').waitFor({ timeout: 15_000 });
    const held = await db.db.selectFrom('bookings').select('kind').where('interview_id', '=', interviewId).execute();
    expect(held.length).toBeGreaterThan(0);
    expect(held.every((b) => b.kind === 'held')).toBe(true);
    await tap(page, '#submit');

    // Back on the invitation: choosing the time confirmed it; the time is shown in Beijing time.
    expect(await textBecomes(page, '#status', '已确认')).toBe('已确认');
    const shown = await text(page, '#time');
    expect(shown).toMatch(/^\d+月\d+日（周.）\d\d:\d\d–\d\d:\d\d$/);
    const row = await db.db.selectFrom('interviews').select(['status', 'starts_at', 'ends_at']).where('id', '=', interviewId).executeTakeFirstOrThrow();
    expect(row.status).toBe('confirmed');
    expect(row.starts_at?.toISOString()).toBe(new Date(startsAt!).toISOString());
    const consents = await db.db.selectFrom('consents').select(['purpose', 'channel']).where('candidate_id', '=', candidateId).execute();
    expect(consents).toContainEqual({ purpose: 'personal_data', channel: 'h5' });

    // The reminder: the server's clock reaches its moment and the dispatcher sends it through 微信客服.
    const reminder = (await sql<{ due_at: Date }>`select due_at from reminders where interview_id = ${interviewId} and kind like 'candidate_%' order by due_at limit 1`.execute(db.db)).rows[0]!;
    clock.set(reminder.due_at);
    const { messenger } = channels();
    expect((await dispatchDueReminders(features, messenger)).sent).toBeGreaterThanOrEqual(1);
    const delivered = (await sql<{ status: string; channel: string }>`select status, channel from reminders where interview_id = ${interviewId} and kind like 'candidate_%' and due_at = ${reminder.due_at}`.execute(db.db)).rows[0];
    expect(delivered).toEqual({ status: 'sent', channel: 'kf' });
    const phone = await browser.newPage({ viewport: { width: 375, height: 740 } });
    await phone.goto(`${sim.url}/people/wechat/${encodeURIComponent(externalUserId)}`);
    const received = (await phone.textContent('body')) ?? '';
    expect(received).toContain('后端工程师');
    expect(received).toMatch(/提醒|即将/);

    // On the day (the session from the invitation has long idled out): the reception code opens the check-in page,
    // which signs in again with the invitation the phone remembers.
    clock.set(new Date(row.starts_at!.getTime() - 15 * 60_000));
    const day = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(row.starts_at!);
    const code = await hr(`/api/check-in/code?site=${encodeURIComponent('星河大厦')}&date=${day}`);
    expect(code.status).toBe(200);
    await page.goto(code.body.url as string);
    expect(await text(page, '#checked-in')).toContain('签到成功');
    expect((await db.db.selectFrom('interviews').select('status').where('id', '=', interviewId).executeTakeFirstOrThrow()).status).toBe('checked_in');

    // After the interview the survey goes out; the candidate answers it in one tap and a comment.
    const survey = (await sql<{ send_at: Date }>`select send_at from surveys where interview_id = ${interviewId}`.execute(db.db)).rows[0]!;
    clock.set(survey.send_at);
    await dispatchDueReminders(features, messenger);
    await page.goto(`${baseUrl}/h5/#/pages/survey/index?interview=${interviewId}`);
    await tap(page, '#score-9');
    await page.locator('#comment textarea >> visible=true').first().fill('流程很顺畅');
    await tap(page, '#submit');
    expect(await text(page, '#thanks')).toContain('感谢');
    const answered = (await sql<{ status: string }>`select status from surveys where interview_id = ${interviewId}`.execute(db.db)).rows[0]!;
    expect(answered.status).toBe('answered');
    expect(pageErrors).toEqual([]);
  }, 180_000);

  it('shows a clear message, not a blank page, for a link that is not valid', async () => {
    const page = await browser.newPage();
    await page.goto(`${baseUrl}/h5/#/pages/invite/index?token=not-a-real-token`);
    expect(await text(page, '#error')).toMatch(/邀请|登录|无效/);
  });
});
