import type { Server } from 'node:http';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServerApi, handleCardClick, handleMessage, type BotAnswer, type InboundMessage, type Reply } from '@hirebridge/bot';
import { startSimulator, type Simulator } from '@hirebridge/simulator';
import { postgresTokenCache } from '../../server/src/adapters/postgres/token-cache';
import { wecomDirectoryFor } from '../../server/src/adapters/wecom/employee-directory';
import { admitBotSender } from '../../server/src/features/bot';
import type { FeatureContext } from '../../server/src/features/context';
import { createLogger } from '../../server/src/observability/logger';
import { fixedClock } from '../../server/src/ports/clock';
import { createTestApp, type TestApp } from '../support/app';
import { lateScorecardsInterview, listen, stopAll } from '../support/bot-harness';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { createTenant, signIn, type TenantFixture } from '../support/fixtures';

/**
 * 面评进度 with its 催办 button, and 同步, through the real server over HTTP (real PostgreSQL) and the WeCom simulator's
 * contacts API: the bot acts with the short-lived session the inbound join issues for the sender.
 * Friday 27 November 2026, 12:30 in Shanghai; the interview ended at 12:00 the day before, so its scorecards are late.
 */
const clock = fixedClock('2026-11-27T04:30:00Z');
const publicUrl = 'https://hr.example.com';
const corpId = 'wwbotmore01';
const env = { HB_T_MORE_APP_SECRET: 'more-app-secret', HB_T_MORE_CONTACTS_SECRET: 'more-contacts-secret' };

let db: TestDatabase;
let sim: Simulator;
let api: TestApp;
let server: Server;
let baseUrl: string;
let t: TenantFixture;
let features: FeatureContext;
let interviewId: string;
const users: Record<string, string> = {};
const names: Record<string, string> = {};

async function say(text: string, options: { sender?: string; chatType?: 'group' | 'single' } = {}): Promise<BotAnswer> {
  const senderId = options.sender ?? users.hr!;
  const message: InboundMessage = {
    platform: 'wecom', tenantId: t.tenantId, messageId: `m-${Math.random()}`, chatType: options.chatType ?? 'group', chatId: 'wrkHRgroup', senderId, text, mentions: [],
  };
  const admitted = await admitBotSender(features, { tenantId: t.tenantId, platformUserId: senderId, messageId: message.messageId, text, chatType: message.chatType, platform: 'wecom', chatId: message.chatId });
  if (!admitted.allowed) return { replies: [{ kind: 'markdown', content: admitted.message }] };
  // Long commands (同步, 导出) answer at once and complete later: both parts, in order.
  const answer = await handleMessage(message, createServerApi({ baseUrl, token: admitted.token }));
  return { replies: [...answer.replies, ...((await answer.followUp) ?? [])] };
}

async function click(key: string, sender = users.hr!): Promise<BotAnswer> {
  const admitted = await admitBotSender(features, { tenantId: t.tenantId, platformUserId: sender, messageId: `click-${Math.random()}`, text: '[click]', chatType: 'group', platform: 'wecom', chatId: 'wrkHRgroup' });
  if (!admitted.allowed) throw new Error('not admitted');
  return handleCardClick({ platform: 'wecom', tenantId: t.tenantId, chatType: 'group', chatId: 'wrkHRgroup', senderId: sender, key }, createServerApi({ baseUrl, token: admitted.token }));
}

const textOf = (answer: BotAnswer) => answer.replies.map((r) => (r.kind === 'markdown' ? r.content : r.kind === 'card' ? `${r.title}\n${r.description}` : r.alt)).join('\n');
const cardOf = (answer: BotAnswer) => answer.replies.find((r): r is Extract<Reply, { kind: 'card' }> => r.kind === 'card')!;
const manualNudges = async () =>
  (await sql<{ interviewer_id: string; outbox_key: string }>`SELECT interviewer_id, outbox_key FROM scorecard_nudges WHERE interview_id = ${interviewId} ORDER BY id`.execute(db.db)).rows;
const chatTo = (recipient: string) =>
  db.db.selectFrom('outbox').selectAll().where('channel', '=', 'employee_chat').where('recipient', '=', recipient).orderBy('created_at').execute();

beforeAll(async () => {
  db = await createTestDatabase();
  sim = await startSimulator({ clock });
  t = await createTenant(db.db, { name: '星河测试' });
  const base = db.features(clock);
  await base.stores.platform.insertApp(t.tenantId, {
    kind: 'wecom_contacts', corpId, agentId: null, secretRef: 'env:HB_T_MORE_CONTACTS_SECRET', callbackTokenRef: null, encodingAesKeyRef: null, apiBaseUrl: sim.url,
  });
  features = {
    ...base,
    publicUrl,
    rosterDirectories: {
      wecom_contacts: wecomDirectoryFor({
        findApp: (tenantId) => base.stores.platform.findAppOfKind(tenantId, 'wecom_contacts'), env, tokens: postgresTokenCache(db.db, clock), log: createLogger({ level: 'silent' }),
      }),
    },
  };
  api = createTestApp(db, { features, secretsEnv: env });
  ({ server, baseUrl } = await listen(api));
  for (const [k, e] of Object.entries(t.employees)) {
    const row = await db.db.selectFrom('employees').select(['platform_user_id', 'name']).where('id', '=', e.id).executeTakeFirstOrThrow();
    users[k] = row.platform_user_id;
    names[k] = row.name;
  }

  interviewId = await lateScorecardsInterview(features, db, t, { startsAt: '2026-11-26T03:00:00Z', endsAt: '2026-11-26T04:00:00Z' });
});
afterAll(() => stopAll({ server, sim, db }));

describe('面评进度 and 催办', () => {
  it('lists the late scorecards with one 催办 button per interviewer and masks the candidate in the group', async () => {
    const card = cardOf(await say('面评进度'));
    expect(card.title).toBe('面评进度：2 份评分卡逾期（2 位面试官）');
    expect(card.description).toContain('周**');
    expect(card.description).not.toContain('周同学');
    expect(card.description).toContain('逾期 0.5 小时');
    expect(card.buttons.map((b) => b.label).sort()).toEqual([`催办 ${names.interviewer!}`, `催办 ${names.manager!}`].sort());
    // 1:1 the name is shown in full.
    expect(cardOf(await say('面评进度', { chatType: 'single' })).description).toContain('周同学');
  });

  it('nudges that interviewer now with the scorecard link, audited, and refuses a second nudge within the hour', async () => {
    const card = cardOf(await say('面评进度'));
    const button = card.buttons.find((b) => b.label.includes(names.interviewer!))!;
    const before = (await chatTo(users.interviewer!)).length;
    expect(textOf(await click(button.key))).toContain(`已催办 ${names.interviewer!}`);
    const sent = await chatTo(users.interviewer!);
    expect(sent).toHaveLength(before + 1);
    const message = (sent.at(-1)!.payload as { message: { title: string; url: string } }).message;
    expect(message.title).toContain('请提交评分卡');
    expect(message.url).toBe(`${publicUrl}/h5/#/pages/interviewer/scorecard/index?id=${interviewId}`);
    expect(await manualNudges()).toEqual([expect.objectContaining({ interviewer_id: t.employees.interviewer.id, outbox_key: expect.stringMatching(/^chat:nudge-manual:/) })]);
    const audit = await db.db.selectFrom('audit_events').selectAll().where('action', '=', 'scorecard.nudge').execute();
    expect(audit).toEqual([expect.objectContaining({ actor: `employee:${t.employees.hr.id}`, object_id: interviewId, details: { interviewerId: t.employees.interviewer.id, manual: true } })]);

    // The same button again within the hour: refused with a stable code, nothing sent.
    expect(textOf(await click(button.key))).toContain('一小时内已催办过');
    expect(await chatTo(users.interviewer!)).toHaveLength(before + 1);
    clock.set('2026-11-27T05:31:00Z');
    expect(textOf(await click(button.key))).toContain('已催办');
    expect(await manualNudges()).toHaveLength(2);
  });

  it('answers RATE_LIMITED over HTTP, and refuses interviewers, unknown pairs and tampered keys', async () => {
    const hr = await admitBotSender(features, { tenantId: t.tenantId, platformUserId: users.hr!, messageId: 'http-1', text: '[click]', chatType: 'group' });
    const token = (hr as { token: string }).token;
    const res = await api.http.post(`/api/scorecards/late/${interviewId}/${t.employees.interviewer.id}/nudge`).set('authorization', `Bearer ${token}`).expect(429);
    expect(res.body.code).toBe('RATE_LIMITED');
    await api.http.post(`/api/scorecards/late/${interviewId}/${t.employees.hr.id}/nudge`).set('authorization', `Bearer ${token}`).expect(404);
    expect(textOf(await click('hb1.bm90LWpzb24'))).toContain('按钮已失效');
    const interviewer = await signIn(db.db, t, t.employees.interviewer.id, 86_400_000);
    await api.http.post(`/api/scorecards/late/${interviewId}/${t.employees.manager.id}/nudge`).set('authorization', `Bearer ${interviewer}`).expect(403);
    await api.http.post('/api/roster/sync').set('authorization', `Bearer ${interviewer}`).expect(403);
  });

  it('says so when nothing is late', async () => {
    for (const [who, recommendation] of [[t.employees.interviewer.id, 'yes'], [t.employees.manager.id, 'no']] as const) {
      await sql`INSERT INTO scorecards (tenant_id, interview_id, interviewer_id, status, recommendation, submitted_at)
                VALUES (${t.tenantId}, ${interviewId}, ${who}, 'submitted', ${recommendation}, ${clock.now()})`.execute(db.db);
    }
    expect(textOf(await say('面评进度'))).toContain('没有逾期未交的评分卡');
    const hr = await admitBotSender(features, { tenantId: t.tenantId, platformUserId: users.hr!, messageId: 'http-2', text: '[click]', chatType: 'group' });
    const res = await api.http.post(`/api/scorecards/late/${interviewId}/${t.employees.manager.id}/nudge`).set('authorization', `Bearer ${(hr as { token: string }).token}`).expect(409);
    expect(res.body.message).toContain('无需催办');
  });
});

describe('同步', () => {
  it('runs the roster sync for the tenant and answers at once, then with the counts; audited', async () => {
    sim.wecom.addCorp({ corpId, name: '星河测试', apps: [{ agentId: 1000002, secret: env.HB_T_MORE_APP_SECRET }], contactsSecret: env.HB_T_MORE_CONTACTS_SECRET, callbackToken: 'moreCallbackToken', encodingAesKey: 'jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C' });
    sim.wecom.addDepartment(corpId, { id: 2, name: '技术部' });
    for (const [k, id] of Object.entries(users)) sim.wecom.addUser(corpId, { userid: id, name: names[k]!, department: [2] });
    sim.wecom.addUser(corpId, { userid: 'newcomer01', name: '新同事', department: [2] });

    const answer = await say('同步');
    expect(answer.replies).toHaveLength(2);
    expect(textOf({ replies: [answer.replies[0]!] })).toContain('同步中');
    const result = textOf({ replies: [answer.replies[1]!] });
    expect(result).toContain('通讯录同步完成');
    expect(result).toMatch(/员工：新增 1，更新 \d+，离职\/停用 0，未变 \d+/);
    expect(await db.db.selectFrom('employees').select('name').where('platform_user_id', '=', 'newcomer01').executeTakeFirstOrThrow()).toEqual({ name: '新同事' });
    const audit = await db.db.selectFrom('audit_events').selectAll().where('action', '=', 'roster.sync_requested').execute();
    expect(audit).toEqual([expect.objectContaining({ actor: `employee:${t.employees.hr.id}`, details: expect.objectContaining({ added: 1, left: 0 }) })]);

    // A second run changes nothing new.
    expect(textOf(await say('同步'))).toContain('新增 0');
  });

  it('is for admin and HR only: a hiring manager is refused', async () => {
    expect(textOf(await say('同步', { sender: users.manager! }))).toContain('没有执行此操作的权限');
  });
});
