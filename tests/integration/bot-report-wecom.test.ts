import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startSimulator, type Simulator } from '@hirebridge/simulator';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpBotRuntime } from '../../server/src/adapters/bot/http-runtime';
import { startAibotLongConnection, type AibotLongConnection } from '../../server/src/adapters/wecom/aibot/long-connection';
import { wecomAibotPushSender } from '../../server/src/adapters/wecom/aibot/senders';
import { botInboxHandlers } from '../../server/src/features/bot/inbound';
import type { FeatureContext } from '../../server/src/features/context';
import { processDueEvents } from '../../server/src/features/inbox';
import { dispatchDueMessages } from '../../server/src/features/outbox';
import { createLogger } from '../../server/src/observability/logger';
import { fixedClock } from '../../server/src/ports/clock';
import { createTestApp, type TestApp } from '../support/app';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { competencyModelInput, createTenant, signIn, type TenantFixture } from '../support/fixtures';

/**
 * 报表 in a WeCom AI-bot group chat, end to end through the simulator over the long connection: @bot 报表 本月 →
 * "正在生成…" at once, then three charts (招聘周期, 未到场率, 面试官负荷) uploaded as temporary media and sent as images
 * (real PNGs), then one summary with the numbers seeded here: hires moved through their stages over the HTTP API at
 * known times, interviews held, missed and cancelled in the period.
 * Now: Monday 23 November 2026, 10:00 in Shanghai; 本月 starts 1 November 00:00 Shanghai.
 */
const now = '2026-11-23T02:00:00Z';
const clock = fixedClock(now);
const month = 30 * 86_400_000;
const day = 86_400_000;
const log = createLogger({ level: 'silent' });
const lcBot = { botId: 'aibotReportLC', secret: 'aibot-report-lc-secret' };
const env = { HB_TEST_AIBOT_REPORT_SECRET: lcBot.secret };
const pngSignature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

let db: TestDatabase;
let sim: Simulator;
let api: TestApp;
let server: Server;
let baseUrl: string;
let features: FeatureContext;
let t: TenantFixture;
let hr: { authorization: string };
let connection: AibotLongConnection;
const jobs: Record<'frontend' | 'backend', string> = { frontend: '', backend: '' };
const chatId = 'wrkReportGroup';
let serial = 0;

async function candidateApplies(job: keyof typeof jobs) {
  serial += 1;
  const candidate = await api.http.post('/api/candidates').set(hr).send({ name: `候选人${serial}` }).expect(201);
  const application = await api.http.post('/api/applications').set(hr).send({ candidateId: candidate.body.id, jobId: jobs[job] }).expect(201);
  return application.body.id as string;
}

/** A candidate applies `days` before `hiredAt` and is hired then (the stage history is stamped by the clock). */
async function hire(job: keyof typeof jobs, hiredAt: string, days: number) {
  const hired = new Date(hiredAt);
  const applied = new Date(hired.getTime() - days * day);
  const applicationId = await candidateApplies(job);
  await sql`update applications set created_at = ${applied} where id = ${applicationId}`.execute(db.db);
  clock.set(new Date(applied.getTime() + 3_600_000));
  for (const to of ['screening', 'interviewing', 'offer']) await api.http.post(`/api/applications/${applicationId}/stage`).set(hr).send({ to }).expect(200);
  clock.set(hired);
  await api.http.post(`/api/applications/${applicationId}/stage`).set(hr).send({ to: 'hired' }).expect(200);
  clock.set(now);
}

/** An interview in the period with the interviewer as lead (and the hiring manager as member when asked). */
async function interview(job: keyof typeof jobs, startsAt: string, status: string, withManager = false) {
  const applicationId = await candidateApplies(job);
  const { round_id, model_id } = await db.db
    .selectFrom('interview_rounds as r')
    .innerJoin('competency_models as m', 'm.job_id', 'r.job_id')
    .select(['r.id as round_id', 'm.id as model_id'])
    .where('r.job_id', '=', jobs[job])
    .executeTakeFirstOrThrow();
  const { id } = await db.db.insertInto('interviews').values({
    tenant_id: t.tenantId, application_id: applicationId, round_id, competency_model_id: model_id, status,
    starts_at: new Date(startsAt), ends_at: new Date(Date.parse(startsAt) + 3_600_000), schedule_version: 1,
  }).returning('id').executeTakeFirstOrThrow();
  await db.db.insertInto('interview_panelists').values({ tenant_id: t.tenantId, interview_id: id, employee_id: t.employees.interviewer.id, role: 'lead' }).execute();
  if (withManager) await db.db.insertInto('interview_panelists').values({ tenant_id: t.tenantId, interview_id: id, employee_id: t.employees.manager.id, role: 'member' }).execute();
}

beforeAll(async () => {
  db = await createTestDatabase();
  features = db.features(clock);
  sim = await startSimulator({ clock, aibot: { timing: { timeoutMs: 3000, retryIntervalMs: 5, streamRefreshIntervalMs: 5, maxStreamRefreshes: 3 } } });
  api = createTestApp(db, { clock, secretsEnv: env });
  server = createServer(api.app.callback());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  t = await createTenant(db.db, { platform: 'wecom' });
  hr = { authorization: `Bearer ${await signIn(db.db, t, t.employees.hr.id, month)}` };
  for (const [key, title] of [['frontend', '前端工程师'], ['backend', '后端工程师']] as const) {
    const job = await api.http.post('/api/jobs').set(hr).send({ title, departmentId: t.departmentId, rounds: [{ name: '技术一面', durationMinutes: 60 }] }).expect(201);
    await api.http.put(`/api/jobs/${job.body.id}/competency-model`).set(hr).send(competencyModelInput()).expect(201);
    await api.http.post(`/api/jobs/${job.body.id}/status`).set(hr).send({ status: 'open' }).expect(200);
    jobs[key] = job.body.id;
  }
  // 招聘周期: 前端 10 and 20 days (median 15, p90 20), 后端 30 days; over all [10, 20, 30]: median 20, p90 30.
  // A hire in October is outside 本月.
  await hire('frontend', '2026-11-05T02:00:00Z', 10);
  await hire('frontend', '2026-11-12T02:00:00Z', 20);
  await hire('backend', '2026-11-20T02:00:00Z', 30);
  await hire('backend', '2026-10-20T02:00:00Z', 7);
  // 未到场: 前端 1 of 4 (25%), 后端 1 of 2 (50%); a cancelled interview and one in October do not count.
  await interview('frontend', '2026-11-02T02:00:00Z', 'completed', true);
  await interview('frontend', '2026-11-03T02:00:00Z', 'completed');
  await interview('frontend', '2026-11-04T02:00:00Z', 'completed');
  await interview('frontend', '2026-11-05T06:00:00Z', 'no_show');
  await interview('backend', '2026-11-10T02:00:00Z', 'no_show', true);
  await interview('backend', '2026-11-11T02:00:00Z', 'completed');
  await interview('backend', '2026-11-12T02:00:00Z', 'cancelled', true);
  await interview('backend', '2026-10-12T02:00:00Z', 'no_show', true);

  const app = await features.stores.platform.insertApp(t.tenantId, {
    kind: 'wecom_aibot', corpId: 'wwreporte2e001', agentId: lcBot.botId, secretRef: 'env:HB_TEST_AIBOT_REPORT_SECRET', callbackTokenRef: null, encodingAesKeyRef: null, apiBaseUrl: sim.url,
  });
  sim.aibot.addBot({ botId: lcBot.botId, secret: lcBot.secret, name: '招聘助手' });
  connection = startAibotLongConnection({ app, env, features, log, wsUrl: sim.aibot.wsUrl, reconnectBaseMs: 20 });
  await connection.ready();
}, 120_000);

afterAll(async () => {
  connection?.stop();
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve));
  await sim?.stop();
  await db?.drop();
});

describe('报表 in a WeCom group', () => {
  it('@bot 报表 本月 → "generating" at once, then three chart images and a summary with the numbers', async () => {
    const hrUserId = (await db.db.selectFrom('employees').select('platform_user_id').where('id', '=', t.employees.hr.id).executeTakeFirstOrThrow()).platform_user_id;
    const pushed = sim.aibot.push(lcBot.botId, { userid: hrUserId, chatId, text: '报表 本月' });
    await sim.aibot.waitFor(() => pushed.responses.length > 0);
    const runtime = httpBotRuntime({ baseUrl: () => baseUrl });
    expect(await processDueEvents(features, botInboxHandlers({ features, runtime }))).toMatchObject({ handled: 1, retried: 0 });
    const push = wecomAibotPushSender({ connectionFor: (tenantId) => (tenantId === t.tenantId ? connection : undefined) });
    expect(await dispatchDueMessages(features, { wecom_aibot_push: push })).toMatchObject({ claimed: 5, sent: 5, dead: 0 });

    const posts = sim.aibot.chat(chatId).filter((p) => p.via === 'push');
    expect(posts.map((p) => p.msgtype)).toEqual(['markdown', 'image', 'image', 'image', 'markdown']);
    expect(posts[0]!.content).toContain('正在生成报表（本月）');
    const images = posts.slice(1, 4).map((p) => sim.aibot.state.media.get((p.body.image as { media_id: string }).media_id)!);
    for (const media of images) {
      expect(media.type).toBe('image');
      expect(media.bytes.subarray(0, 8)).toEqual(pngSignature);
      expect(media.bytes.length).toBeGreaterThan(2000);
    }
    // Three different charts, not one image three times.
    expect(new Set(images.map((m) => Buffer.from(m.bytes).toString('base64'))).size).toBe(3);

    const summary = posts[4]!.content!;
    expect(summary).toContain('**招聘报表（本月）**');
    expect(summary).toContain('录用 3 人，中位 20 天，P90 30 天');
    // Slowest median first.
    expect(summary).toContain('· 后端工程师：录用 1 人，中位 30 天，P90 30 天\n· 前端工程师：录用 2 人，中位 15 天，P90 20 天');
    expect(summary).toContain('共 6 场，未到场 2 场（33.3%）');
    expect(summary).toContain('· 后端工程师：1/2（50%）\n· 前端工程师：1/4（25%）');
    expect(summary).toContain('· 面试官：6 场\n· 用人经理：2 场');
    // Candidates are never named in the group.
    expect(summary).not.toContain('候选人');
  });

  it('a period without hires or interviews says so, still with its three charts', async () => {
    clock.set('2027-03-10T02:00:00Z'); // 本月 is March 2027: nothing in it
    try {
      const hrUserId = (await db.db.selectFrom('employees').select('platform_user_id').where('id', '=', t.employees.hr.id).executeTakeFirstOrThrow()).platform_user_id;
      const before = sim.aibot.chat(chatId).length;
      const pushed = sim.aibot.push(lcBot.botId, { userid: hrUserId, chatId, text: 'report' });
      await sim.aibot.waitFor(() => pushed.responses.length > 0);
      expect(await processDueEvents(features, botInboxHandlers({ features, runtime: httpBotRuntime({ baseUrl: () => baseUrl }) }))).toMatchObject({ handled: 1, retried: 0 });
      const push = wecomAibotPushSender({ connectionFor: (tenantId) => (tenantId === t.tenantId ? connection : undefined) });
      expect(await dispatchDueMessages(features, { wecom_aibot_push: push })).toMatchObject({ sent: 5, dead: 0 });
      const posts = sim.aibot.chat(chatId).slice(before).filter((p) => p.via === 'push');
      expect(posts.map((p) => p.msgtype)).toEqual(['markdown', 'image', 'image', 'image', 'markdown']);
      const summary = posts[4]!.content!;
      expect(summary).toContain('**招聘报表（本月）**');
      expect(summary).toContain('该期间没有录用。');
      expect(summary).toContain('该期间没有已举行的面试。');
      expect(summary).toContain('该期间没有面试。');
    } finally {
      clock.set(now);
    }
  });
});
