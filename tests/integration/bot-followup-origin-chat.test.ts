import { createHash, randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startSimulator, type Simulator } from '@hirebridge/simulator';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpBotRuntime } from '../../server/src/adapters/bot/http-runtime';
import { postgresTokenCache } from '../../server/src/adapters/postgres/token-cache';
import { startAibotLongConnection, type AibotLongConnection } from '../../server/src/adapters/wecom/aibot/long-connection';
import { wecomAibotPushSender, wecomAibotReplySender } from '../../server/src/adapters/wecom/aibot/senders';
import { wecomDirectoryFor } from '../../server/src/adapters/wecom/employee-directory';
import { admitBotSender } from '../../server/src/features/bot';
import { botInboxHandlers, type NeutralInbound } from '../../server/src/features/bot/inbound';
import type { FeatureContext } from '../../server/src/features/context';
import { processDueEvents } from '../../server/src/features/inbox';
import { dispatchDueMessages } from '../../server/src/features/outbox';
import type { DirectoryFor } from '../../server/src/features/roster';
import { createLogger } from '../../server/src/observability/logger';
import { fixedClock } from '../../server/src/ports/clock';
import { createTestApp, type TestApp } from '../support/app';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { competencyModelInput, createTenant, signIn, type TenantFixture } from '../support/fixtures';

/**
 * Issue 7's remaining gaps, through the real server (HTTP, PostgreSQL) and the WeCom simulator:
 * 1. long work (同步) is answered at once through the response_url and completed by a follow-up push — the chat sees
 *    同步中… while the roster sync is still held; a failure sends a clear error; a crash never sends the first twice;
 * 2. an interview made by 约面 carries its group explicitly (checked against the message the server received): two
 *    groups scheduling at the same moment each hear their own candidate's confirmation;
 * 3. 订阅 refuses a chat the requester's message did not come from (CHAT_NOT_VERIFIED, audited);
 * 4. 导出's link survives a link preview (GET shows a page), downloads once by its button (POST), then refuses.
 * Monday 23 November 2026, 10:00 in Shanghai.
 */
const clock = fixedClock('2026-11-23T02:00:00Z');
const month = 30 * 86_400_000;
const log = createLogger({ level: 'silent' });
const corpId = 'wwfollowup0001';
const aibot = { botId: 'aibotFollowUp01', secret: 'aibot-followup-secret', token: 'hbAibotFollowUp', aesKey: 'mWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C' };
const env = {
  HB_FU_AIBOT_SECRET: aibot.secret, HB_FU_AIBOT_TOKEN: aibot.token, HB_FU_AIBOT_AES_KEY: aibot.aesKey,
  HB_FU_APP_SECRET: 'fu-app-secret', HB_FU_CONTACTS_SECRET: 'fu-contacts-secret',
};
const chatId = 'wrkFollowUpGroup';

let db: TestDatabase;
let sim: Simulator;
let api: TestApp;
let server: Server;
let baseUrl: string;
let features: FeatureContext;
let t: TenantFixture;
let connection: AibotLongConnection;
let hrToken: string;
const users: Record<string, string> = {};

/** The roster directory, held at a gate the test opens (or fails) — the sync cannot finish before that. */
let gate: { promise: Promise<void>; open: () => void; fail: (error: Error) => void } | undefined;
function holdSync() {
  let open!: () => void;
  let fail!: (error: Error) => void;
  const promise = new Promise<void>((resolve, reject) => {
    open = resolve;
    fail = reject;
  });
  // A failure may come before the sync reaches the gate: awaiting it later still sees the rejection.
  promise.catch(() => undefined);
  gate = { promise, open, fail };
  return gate;
}

const auth = (token: string) => ({ authorization: `Bearer ${token}` });
const handlers = () => botInboxHandlers({ features, runtime: httpBotRuntime({ baseUrl: () => baseUrl }) });
const reply = () => wecomAibotReplySender({ findApp: (tenantId) => features.stores.platform.findAppOfKind(tenantId, 'wecom_aibot'), clock });
const push = () => wecomAibotPushSender({ connectionFor: (tenantId) => (tenantId === t.tenantId ? connection : undefined) });
/** What the group shows from the bot (the platform's own 收到，处理中… stream placeholder left out). */
const chat = (id = chatId) => sim.aibot.chat(id).filter((p) => p.via !== 'stream');
const queuedReplies = async (prefix: string) =>
  (await sql<{ idempotency_key: string }>`SELECT idempotency_key FROM outbox WHERE idempotency_key LIKE ${`${prefix}%`} ORDER BY id`.execute(db.db)).rows.map((r) => r.idempotency_key);

async function waitFor(condition: () => Promise<boolean>, what: string, timeoutMs = 10_000) {
  const started = Date.now();
  while (!(await condition())) {
    if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

async function candidateSession(candidateId: string): Promise<string> {
  const token = randomBytes(32).toString('base64url');
  await db.db.insertInto('sessions').values({
    token_hash: createHash('sha256').update(token).digest(), tenant_id: t.tenantId, candidate_id: candidateId, method: 'wechat_miniapp',
    expires_at: new Date(Date.now() + month), last_seen_at: new Date(Date.now() + month),
  }).execute();
  return token;
}

async function candidateConfirms(candidateId: string, interviewId: string) {
  await api.http.post(`/api/candidate/interviews/${interviewId}/confirm`).set(auth(await candidateSession(candidateId))).expect(200);
}

/** A message the server received from `chat` (admitted and audited as `bot.command`), as the bot gets it. */
async function received(text: string, options: { chat?: string; sender?: string; chatType?: 'group' | 'single' } = {}) {
  const senderId = options.sender ?? users.hr!;
  const inbound: NeutralInbound = {
    platform: 'wecom', tenantId: t.tenantId, messageId: `m-${randomBytes(6).toString('hex')}`, chatType: options.chatType ?? 'group',
    chatId: options.chat ?? chatId, senderId, text, mentions: [],
  };
  const sender = await admitBotSender(features, { tenantId: t.tenantId, platformUserId: senderId, messageId: inbound.messageId, text, chatType: inbound.chatType, platform: 'wecom', chatId: inbound.chatId });
  if (!sender.allowed) throw new Error(sender.message);
  return { inbound, token: sender.token, requestId: inbound.messageId };
}

beforeAll(async () => {
  db = await createTestDatabase();
  sim = await startSimulator({ clock, aibot: { timing: { timeoutMs: 3000, retryIntervalMs: 5, streamRefreshIntervalMs: 5, maxStreamRefreshes: 3 } } });
  t = await createTenant(db.db, { platform: 'wecom' });
  const base = db.features(clock);
  await base.stores.platform.insertApp(t.tenantId, {
    kind: 'wecom_contacts', corpId, agentId: null, secretRef: 'env:HB_FU_CONTACTS_SECRET', callbackTokenRef: null, encodingAesKeyRef: null, apiBaseUrl: sim.url,
  });
  const real = wecomDirectoryFor({ findApp: (tenantId) => base.stores.platform.findAppOfKind(tenantId, 'wecom_contacts'), env, tokens: postgresTokenCache(db.db, clock), log });
  const held: DirectoryFor = async (tenantId) => {
    if (gate) await gate.promise;
    return real(tenantId);
  };
  features = { ...base, publicUrl: 'https://hr.example.com', rosterDirectories: { wecom_contacts: held } };
  api = createTestApp(db, { features, clock, secretsEnv: env });
  server = createServer(api.app.callback());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  sim.wecom.addCorp({ corpId, name: '跟进测试', apps: [{ agentId: 1000002, secret: env.HB_FU_APP_SECRET }], contactsSecret: env.HB_FU_CONTACTS_SECRET, callbackToken: 'fuCallbackToken', encodingAesKey: aibot.aesKey });
  sim.wecom.addDepartment(corpId, { id: 2, name: '技术部' });
  for (const [k, e] of Object.entries(t.employees)) {
    const row = await db.db.selectFrom('employees').select(['platform_user_id', 'name']).where('id', '=', e.id).executeTakeFirstOrThrow();
    users[k] = row.platform_user_id;
    sim.wecom.addUser(corpId, { userid: row.platform_user_id, name: row.name, department: [2] });
  }

  // The AI bot: callbacks (response_url for the first answer) and the long connection (proactive pushes).
  const app = await features.stores.platform.insertApp(t.tenantId, {
    kind: 'wecom_aibot', corpId: 'wwfollowupbot1', agentId: aibot.botId, secretRef: 'env:HB_FU_AIBOT_SECRET',
    callbackTokenRef: 'env:HB_FU_AIBOT_TOKEN', encodingAesKeyRef: 'env:HB_FU_AIBOT_AES_KEY', apiBaseUrl: sim.url,
  });
  sim.aibot.addBot({ botId: aibot.botId, secret: aibot.secret, name: '招聘助手', token: aibot.token, encodingAesKey: aibot.aesKey, callbackUrl: `${baseUrl}/callbacks/wecom-aibot/${app.id}` });
  connection = startAibotLongConnection({ app, env, features, log, wsUrl: sim.aibot.wsUrl, reconnectBaseMs: 20 });
  await connection.ready();
  hrToken = await signIn(db.db, t, t.employees.hr.id, month);
});
afterAll(async () => {
  connection?.stop();
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve));
  await sim?.stop();
  await db?.drop();
});

describe('同步: answered at once, completed later', () => {
  it('the group sees 同步中… (response_url) while the sync is held, then the result (push)', async () => {
    sim.wecom.addUser(corpId, { userid: 'newcomer01', name: '新同事', department: [2] });
    const held = holdSync();
    await sim.aibot.mention({ botId: aibot.botId, chatId, userid: users.hr!, text: '同步' });
    let settled = false;
    const processing = processDueEvents(features, handlers()).then((r) => {
      settled = true;
      return r;
    });
    // The first answer is committed on its own while the sync still waits at the gate.
    await waitFor(async () => (await queuedReplies('bot:wecom:')).some((k) => k.endsWith(':0')), 'the first answer in the outbox');
    expect(await dispatchDueMessages(features, { wecom_aibot_reply: reply() })).toMatchObject({ sent: 1 });
    const first = chat().filter((p) => p.via === 'response_url');
    expect(first).toHaveLength(1);
    expect(first[0]!.content).toContain('同步中');
    expect(settled).toBe(false);
    expect(chat().some((p) => (p.content ?? '').includes('通讯录同步完成'))).toBe(false);
    expect(await db.db.selectFrom('employees').select('id').where('platform_user_id', '=', 'newcomer01').execute()).toHaveLength(0);

    held.open();
    expect(await processing).toMatchObject({ handled: 1, retried: 0 });
    expect(await dispatchDueMessages(features, { wecom_aibot_push: push() })).toMatchObject({ sent: 1 });
    const result = chat().at(-1)!;
    expect(result.via).toBe('push');
    expect(result.content).toContain('通讯录同步完成');
    expect(result.content).toMatch(/员工：新增 1，/);
    expect(await db.db.selectFrom('employees').select('name').where('platform_user_id', '=', 'newcomer01').executeTakeFirstOrThrow()).toEqual({ name: '新同事' });
    expect(chat().filter((p) => (p.content ?? '').includes('同步中'))).toHaveLength(1);
  });

  it('a failed sync sends a clear error as the follow-up', async () => {
    const held = holdSync();
    const before = chat().length;
    await sim.aibot.mention({ botId: aibot.botId, chatId, userid: users.hr!, text: '同步' });
    const processing = processDueEvents(features, handlers());
    await waitFor(async () => (await dispatchDueMessages(features, { wecom_aibot_reply: reply() })).sent === 1 || chat().length > before, 'the first answer');
    expect(chat().at(-1)!.content).toContain('同步中');
    held.fail(new Error('directory down'));
    expect(await processing).toMatchObject({ handled: 1 });
    expect(await dispatchDueMessages(features, { wecom_aibot_push: push() })).toMatchObject({ sent: 1 });
    expect(chat().at(-1)).toMatchObject({ via: 'push' });
    expect(chat().at(-1)!.content).toContain('通讯录平台暂时无法访问，同步未完成');
    expect(chat()).toHaveLength(before + 2);
  });

  it('a crash after the first answer never sends it twice: the retry says the result is unknown, once', async () => {
    gate = undefined;
    const before = chat().length;
    await sim.aibot.mention({ botId: aibot.botId, chatId, userid: users.hr!, text: '同步' });
    const now = clock.now();
    const [event] = await features.stores.inbox.claimDue(1, now, new Date(now.getTime() + 1_000));
    expect(event).toBeDefined();
    // The worker dies after the bot answered at once and before the result was committed with the event.
    await expect(features.transact(async (stores) => {
      await handlers()['bot.message']!(event!, { stores, transact: (work) => work(stores), clock });
      throw new Error('crash before commit');
    })).rejects.toThrow('crash before commit');
    clock.set(new Date(now.getTime() + 60_000).toISOString());
    expect(await processDueEvents(features, handlers())).toMatchObject({ handled: 1 });
    await dispatchDueMessages(features, { wecom_aibot_reply: reply(), wecom_aibot_push: push() });
    await dispatchDueMessages(features, { wecom_aibot_reply: reply(), wecom_aibot_push: push() });
    const posts = chat().slice(before);
    expect(posts.map((p) => p.content)).toEqual([expect.stringContaining('同步中'), expect.stringContaining('上一条命令在处理中被中断')]);
    clock.set('2026-11-23T02:00:00Z');
  });
});

describe('约面 remembers the group it came from', () => {
  const groups = ['wrkOriginGroupA', 'wrkOriginGroupB'];
  let jobId: string;
  let candidates: { id: string; name: string }[];

  beforeAll(async () => {
    const job = await api.http.post('/api/jobs').set(auth(hrToken)).send({ title: '前端工程师', departmentId: t.departmentId, rounds: [{ name: '技术一面', durationMinutes: 60 }] }).expect(201);
    jobId = job.body.id;
    await api.http.put(`/api/jobs/${jobId}/competency-model`).set(auth(hrToken)).send(competencyModelInput()).expect(201);
    await api.http.post(`/api/jobs/${jobId}/status`).set(auth(hrToken)).send({ status: 'open' }).expect(200);
    candidates = [];
    for (const [name, phone] of [['林晓雨', '13912345678'], ['王小明', '13812345678']] as const) {
      const c = await api.http.post('/api/candidates').set(auth(hrToken)).send({ name, phone }).expect(201);
      await api.http.post('/api/applications').set(auth(hrToken)).send({ candidateId: c.body.id, jobId }).expect(201);
      candidates.push({ id: c.body.id, name });
    }
  });

  const interviewOf = async (candidateId: string) =>
    (await sql<{ id: string; origin_chat: unknown }>`SELECT i.id, i.origin_chat FROM interviews i JOIN applications a ON a.id = i.application_id WHERE a.candidate_id = ${candidateId}`.execute(db.db)).rows;

  it('two 约面 in two groups at the same moment: each group hears its own candidate’s confirmation', async () => {
    for (const g of groups) sim.aibot.addGroup(g);
    const runtime = httpBotRuntime({ baseUrl: () => baseUrl });
    const asked = await Promise.all([
      received(`约面 林晓雨 前端 明天下午3点 @${'面试官'}`, { chat: groups[0] }),
      received(`约面 王小明 前端 明天下午4点 @${'面试官'}`, { chat: groups[1] }),
    ]);
    // The interviewer by name (WeCom gives names only): make the mention resolvable.
    const interviewerName = (await db.db.selectFrom('employees').select('name').where('id', '=', t.employees.interviewer.id).executeTakeFirstOrThrow()).name;
    const answers = await Promise.all(asked.map(({ inbound, token, requestId }) =>
      runtime.answer!({ ...inbound, text: inbound.text.replace('@面试官', ''), mentions: [{ id: '', name: interviewerName }] }, { token, timeZone: 'Asia/Shanghai', requestId })));
    for (const a of answers) expect(JSON.stringify(a.replies)).toContain('面试已安排');

    const [a] = await interviewOf(candidates[0]!.id);
    const [b] = await interviewOf(candidates[1]!.id);
    expect(a!.origin_chat).toEqual({ channel: 'wecom_aibot_push', chatId: groups[0] });
    expect(b!.origin_chat).toEqual({ channel: 'wecom_aibot_push', chatId: groups[1] });

    await candidateConfirms(candidates[1]!.id, b!.id);
    await candidateConfirms(candidates[0]!.id, a!.id);
    expect(await dispatchDueMessages(features, { wecom_aibot_push: push() })).toMatchObject({ sent: 2 });
    expect(chat(groups[0]).map((p) => p.content)).toEqual([expect.stringContaining('✅ 候选人 林** 已确认参加')]);
    expect(chat(groups[1]).map((p) => p.content)).toEqual([expect.stringContaining('✅ 候选人 王** 已确认参加')]);
  });

  it('约面 … 让候选人选时间 from a group: the group hears the time the candidate picks', async () => {
    sim.aibot.addGroup(groups[1]!);
    const c = await api.http.post('/api/candidates').set(auth(hrToken)).send({ name: '赵思琪', phone: '13612345678' }).expect(201);
    await api.http.post('/api/applications').set(auth(hrToken)).send({ candidateId: c.body.id, jobId }).expect(201);
    const interviewerName = (await db.db.selectFrom('employees').select('name').where('id', '=', t.employees.interviewer.id).executeTakeFirstOrThrow()).name;
    const { inbound, token, requestId } = await received('约面 赵思琪 前端 让候选人选时间', { chat: groups[1] });
    const runtime = httpBotRuntime({ baseUrl: () => baseUrl });
    const answer = await runtime.answer!({ ...inbound, mentions: [{ id: '', name: interviewerName }] }, { token, timeZone: 'Asia/Shanghai', requestId });
    expect(JSON.stringify(answer.replies)).toContain('已请候选人选时间');
    const [offered] = await interviewOf(c.body.id);
    expect(offered!.origin_chat).toEqual({ channel: 'wecom_aibot_push', chatId: groups[1] });

    const session = await candidateSession(c.body.id);
    const slots = await api.http.get(`/api/candidate/interviews/${offered!.id}/slots`).set(auth(session)).expect(200);
    const time = slots.body.items[0].startsAt as string;
    await api.http.post(`/api/candidate/interviews/${offered!.id}/hold`).set(auth(session)).send({ startsAt: time }).expect(200);
    await api.http.post(`/api/candidate/interviews/${offered!.id}/choose`).set(auth(session)).send({ startsAt: time }).expect(200);
    const before = chat(groups[1]).length;
    await dispatchDueMessages(features, { wecom_aibot_push: push() });
    expect(chat(groups[1]).slice(before).map((p) => p.content)).toEqual([expect.stringContaining('✅ 候选人 赵** 已确认参加')]);
    // The other group hears nothing of it.
    expect(chat(groups[0]).map((p) => p.content).filter((m) => m?.includes('赵**'))).toEqual([]);
  });

  it('refuses an origin the server did not receive the message from (CHAT_NOT_VERIFIED), audited, and books nothing', async () => {
    const { requestId, token } = await received('约面 林晓雨 前端 后天上午10点', { chat: groups[0] });
    const round = await db.db.selectFrom('interview_rounds').select('id').where('job_id', '=', jobId).executeTakeFirstOrThrow();
    const application = await db.db.selectFrom('applications').select('id').where('candidate_id', '=', candidates[0]!.id).executeTakeFirstOrThrow();
    const body = (origin: object) => ({ roundId: round.id, startsAt: '2026-11-26T02:00:00Z', panel: [{ employeeId: t.employees.interviewer.id }], origin });
    const before = (await interviewOf(candidates[0]!.id)).length;
    for (const origin of [
      { platform: 'wecom', chatId: 'wrkSomeoneElsesGroup', requestId },
      { platform: 'dingtalk', chatId: groups[0], requestId },
      { platform: 'wecom', chatId: groups[0], requestId: 'm-never-received' },
    ]) {
      const res = await api.http.post(`/api/bot/applications/${application.id}/interviews`).set(auth(token)).send(body(origin)).expect(403);
      expect(res.body.code).toBe('CHAT_NOT_VERIFIED');
    }
    // Another person's message does not vouch for this one's chat either.
    const manager = await received('今日', { chat: groups[1], sender: users.admin! });
    const res = await api.http.post(`/api/bot/applications/${application.id}/interviews`).set(auth(token)).send(body({ platform: 'wecom', chatId: groups[1], requestId: manager.requestId })).expect(403);
    expect(res.body.code).toBe('CHAT_NOT_VERIFIED');
    expect(await interviewOf(candidates[0]!.id)).toHaveLength(before);
    const refused = await db.db.selectFrom('audit_events').select(['actor', 'details']).where('action', '=', 'bot.chat_refused').execute();
    expect(refused.filter((r) => (r.details as { purpose?: string }).purpose === 'interview.schedule')).toHaveLength(4);
  });
});

describe('订阅 only for the chat the message came from', () => {
  it('refuses a forged chat id with CHAT_NOT_VERIFIED (audited); the real group subscribes', async () => {
    const { requestId, token } = await received('订阅 每天 9:00');
    const forged = await api.http.put('/api/bot/digest').set(auth(token)).send({ platform: 'wecom', chatId: 'wrkNotMyGroup', time: '9:00', requestId }).expect(403);
    expect(forged.body).toMatchObject({ code: 'CHAT_NOT_VERIFIED' });
    expect(forged.body.message).toMatch(/^无法确认这个群/);
    const missing = await api.http.put('/api/bot/digest').set(auth(token)).send({ platform: 'wecom', chatId: 'wrkNotMyGroup', time: '9:00' }).expect(400);
    expect(missing.body.code).toBe('VALIDATION_FAILED');
    // A 1:1 message cannot subscribe a group, nor can a session without any message (H5 sign-in).
    const single = await received('订阅 每天 9:00', { chatType: 'single', chat: users.hr! });
    expect((await api.http.put('/api/bot/digest').set(auth(single.token)).send({ platform: 'wecom', chatId: users.hr!, time: '9:00', requestId: single.requestId }).expect(403)).body.code).toBe('CHAT_NOT_VERIFIED');
    expect((await api.http.put('/api/bot/digest').set(auth(hrToken)).send({ platform: 'wecom', chatId, time: '9:00', requestId: 'h5-no-message' }).expect(403)).body.code).toBe('CHAT_NOT_VERIFIED');
    expect((await api.http.post('/api/bot/digest/unsubscribe').set(auth(token)).send({ platform: 'wecom', chatId: 'wrkNotMyGroup', requestId }).expect(403)).body.code).toBe('CHAT_NOT_VERIFIED');
    expect(await sql`SELECT 1 FROM bot_digests WHERE chat_id = 'wrkNotMyGroup'`.execute(db.db).then((r) => r.rows)).toHaveLength(0);
    const refused = await db.db.selectFrom('audit_events').select(['actor', 'details']).where('action', '=', 'bot.chat_refused').execute();
    expect(refused.filter((r) => (r.details as { purpose?: string }).purpose?.startsWith('bot.digest'))).toHaveLength(4);
    expect(refused).toContainEqual({ actor: `employee:${t.employees.hr.id}`, details: expect.objectContaining({ purpose: 'bot.digest_subscribe', chatId: 'wrkNotMyGroup' }) });

    await api.http.put('/api/bot/digest').set(auth(token)).send({ platform: 'wecom', chatId, time: '9:00', requestId }).expect(200);
    expect(await sql`SELECT chat_id FROM bot_digests WHERE tenant_id = ${t.tenantId}`.execute(db.db).then((r) => r.rows)).toEqual([{ chat_id: chatId }]);
  });
});

describe('a received message vouches for its chat only for a few minutes', () => {
  it('refuses a 约面/订阅 that names a group by a message older than ten minutes', async () => {
    const { token } = await received('订阅 每天 9:00');
    // The same employee's message from the same group, received 20 minutes ago (database time, as the audit writes it).
    await sql`INSERT INTO audit_events (tenant_id, at, actor, action, object_type, request_id, details)
              VALUES (${t.tenantId}, now() - interval '20 minutes', ${`employee:${t.employees.hr.id}`}, 'bot.command', 'bot_command', 'old-message-1',
                      ${JSON.stringify({ chatType: 'group', platform: 'wecom', chatId })}::jsonb)`.execute(db.db);
    const stale = await api.http.put('/api/bot/digest').set(auth(token)).send({ platform: 'wecom', chatId, time: '9:00', requestId: 'old-message-1' }).expect(403);
    expect(stale.body.code).toBe('CHAT_NOT_VERIFIED');
    // The same record nine minutes old still counts.
    await sql`INSERT INTO audit_events (tenant_id, at, actor, action, object_type, request_id, details)
              VALUES (${t.tenantId}, now() - interval '9 minutes', ${`employee:${t.employees.hr.id}`}, 'bot.command', 'bot_command', 'old-message-2',
                      ${JSON.stringify({ chatType: 'group', platform: 'wecom', chatId })}::jsonb)`.execute(db.db);
    await api.http.put('/api/bot/digest').set(auth(token)).send({ platform: 'wecom', chatId, time: '9:30', requestId: 'old-message-2' }).expect(200);
  });
});

describe('导出 link survives a link preview', () => {
  it('GET shows a page and uses nothing; the button (POST) downloads once; a second download is refused clearly', async () => {
    const { token } = await received('导出');
    await api.http.post('/api/bot/exports').set(auth(token)).send({ period: '30d' }).expect(200);
    const card = await db.db.selectFrom('outbox').select('payload').where('channel', '=', 'employee_chat').where('recipient', '=', users.hr!).orderBy('id', 'desc').executeTakeFirstOrThrow();
    const link = (card.payload as { message: { url: string } }).message.url.slice('https://hr.example.com'.length);

    // A chat client's preview crawler fetches the link (twice): a page, no file, nothing used.
    for (let i = 0; i < 2; i++) {
      const page = await api.http.get(link).set('user-agent', 'WeCom-LinkPreview/1.0').expect(200);
      expect(page.headers['content-type']).toMatch(/^text\/html/);
      expect(page.headers['content-disposition']).toBeUndefined();
      expect(page.text).toContain('面试与评分导出');
      expect(page.text).toContain('<form method="post">');
      expect(page.text).not.toContain('PK');
    }
    const state = async () => (await sql<{ downloaded_at: Date | null; has_body: boolean }>`SELECT downloaded_at, body IS NOT NULL AS has_body FROM bot_exports ORDER BY created_at DESC LIMIT 1`.execute(db.db)).rows[0];
    expect(await state()).toEqual({ downloaded_at: null, has_body: true });

    const file = await api.http.post(link).buffer(true).parse((r, done) => {
      const chunks: Buffer[] = [];
      r.on('data', (c: Buffer) => chunks.push(c));
      r.on('end', () => done(null, Buffer.concat(chunks)));
    }).expect(200);
    expect(file.headers['content-type']).toBe('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    expect((file.body as Buffer).subarray(0, 2).toString()).toBe('PK');
    expect(await state()).toMatchObject({ has_body: false });

    const again = await api.http.post(link).expect(404);
    expect(again.body.code).toBe('NOT_FOUND');
    expect(again.body.message).toContain('已使用');
    expect((await api.http.get(link).expect(200)).text).toContain('此链接已下载过一次');
    const downloads = await db.db.selectFrom('audit_events').select('actor').where('action', '=', 'interviews.export_downloaded').execute();
    expect(downloads).toEqual([{ actor: `employee:${t.employees.hr.id}` }]);
  });
});
