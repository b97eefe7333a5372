import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServerApi, handleCardClick, handleMessage, type BotAnswer, type InboundMessage, type Mention, type Reply } from '@hirebridge/bot';
import { admitBotSender } from '../../server/src/features/bot';
import { fixedClock } from '../../server/src/ports/clock';
import { createTestApp, type TestApp } from '../support/app';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { competencyModelInput, createTenant, signIn, type TenantFixture } from '../support/fixtures';

/**
 * The HR bot's commands against the real server over HTTP (real PostgreSQL): the bot holds only the short-lived
 * session the inbound join issues for the sender, so every command is authorised and scoped as that person.
 * Monday 23 November 2026, 10:00 in Shanghai.
 */
const clock = fixedClock('2026-11-23T02:00:00Z');
const month = 30 * 86_400_000;

let db: TestDatabase;
let api: TestApp;
let server: Server;
let baseUrl: string;
let acme: TenantFixture;
let hrToken: string;
let jobId: string;
let interviewerUserId: string;
let hrUserId: string;
const auth = (token: string) => ({ authorization: `Bearer ${token}` });

async function platformUserId(employeeId: string) {
  return (await db.db.selectFrom('employees').select('platform_user_id').where('id', '=', employeeId).executeTakeFirstOrThrow()).platform_user_id;
}

/** What the inbound join does for a message: admit the sender, then run the bot with their session. */
async function say(text: string, options: { chatType?: 'group' | 'single'; sender?: string; mentions?: Mention[] } = {}): Promise<BotAnswer> {
  const senderId = options.sender ?? hrUserId;
  const message: InboundMessage = {
    platform: 'wecom', tenantId: acme.tenantId, messageId: `m-${Math.random()}`, chatType: options.chatType ?? 'group', chatId: 'wrkHRgroup',
    senderId, text, mentions: options.mentions ?? [],
  };
  const features = db.features(clock);
  const admitted = await admitBotSender(features, { tenantId: acme.tenantId, platformUserId: senderId, messageId: message.messageId, text, chatType: message.chatType, platform: 'wecom', chatId: message.chatId });
  if (!admitted.allowed) return { replies: [{ kind: 'markdown', content: admitted.message }] };
  // Long commands (同步, 导出) answer at once and complete later: both parts, in order.
  const answer = await handleMessage(message, createServerApi({ baseUrl, token: admitted.token }));
  return { replies: [...answer.replies, ...((await answer.followUp) ?? [])] };
}

async function click(key: string, chatType: 'group' | 'single' = 'group'): Promise<BotAnswer> {
  const requestId = `click-${Math.random()}`;
  const admitted = await admitBotSender(db.features(clock), { tenantId: acme.tenantId, platformUserId: hrUserId, messageId: requestId, text: '[click]', chatType, platform: 'wecom', chatId: 'wrkHRgroup' });
  if (!admitted.allowed) throw new Error('not admitted');
  return handleCardClick({ platform: 'wecom', tenantId: acme.tenantId, chatType, chatId: 'wrkHRgroup', senderId: hrUserId, key }, createServerApi({ baseUrl, token: admitted.token }), { requestId });
}

const textOf = (answer: BotAnswer) => answer.replies.map((r) => (r.kind === 'markdown' ? r.content : r.kind === 'card' ? `${r.title}\n${r.description}` : r.alt)).join('\n');
const cardOf = (answer: BotAnswer) => answer.replies.find((r): r is Extract<Reply, { kind: 'card' }> => r.kind === 'card')!;

async function candidateWithApplication(name: string, phone: string) {
  const candidate = await api.http.post('/api/candidates').set(auth(hrToken)).send({ name, phone }).expect(201);
  await api.http.post('/api/applications').set(auth(hrToken)).send({ candidateId: candidate.body.id, jobId }).expect(201);
  return candidate.body.id as string;
}

const interviewsOf = (candidateId: string) =>
  sql<{ id: string; status: string; starts_at: Date | null }>`select i.id, i.status, i.starts_at from interviews i join applications a on a.id = i.application_id where a.candidate_id = ${candidateId} order by i.created_at`.execute(db.db).then((r) => r.rows);

beforeAll(async () => {
  db = await createTestDatabase();
  api = createTestApp(db, { clock });
  server = createServer(api.app.callback());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  acme = await createTenant(db.db);
  hrToken = await signIn(db.db, acme, acme.employees.hr.id, month);
  hrUserId = await platformUserId(acme.employees.hr.id);
  interviewerUserId = await platformUserId(acme.employees.interviewer.id);
  const job = await api.http.post('/api/jobs').set(auth(hrToken)).send({ title: '后端工程师', departmentId: acme.departmentId, rounds: [{ name: '技术一面', durationMinutes: 60 }, { name: '技术二面', durationMinutes: 45 }] }).expect(201);
  jobId = job.body.id;
  await api.http.put(`/api/jobs/${jobId}/competency-model`).set(auth(hrToken)).send(competencyModelInput()).expect(201);
  await api.http.post(`/api/jobs/${jobId}/status`).set(auth(hrToken)).send({ status: 'open' }).expect(200);
});
afterAll(async () => {
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve));
  await db?.drop();
});

describe('who may command the bot', () => {
  it('lets HR in with a five-minute session of method bot, audited; refuses interviewers and strangers', async () => {
    const features = db.features(clock);
    const hr = await admitBotSender(features, { tenantId: acme.tenantId, platformUserId: hrUserId, messageId: 'audit-1', text: '今日', chatType: 'group' });
    expect(hr.allowed).toBe(true);
    const sessions = await sql<{ expires_at: Date; idle_timeout_seconds: number }>`select expires_at, idle_timeout_seconds from sessions where employee_id = ${acme.employees.hr.id} and method = 'bot'`.execute(db.db);
    expect(sessions.rows.map((r) => [r.expires_at.toISOString(), r.idle_timeout_seconds])).toEqual([['2026-11-23T02:05:00.000Z', 300]]);
    const audit = await db.db.selectFrom('audit_events').selectAll().where('request_id', '=', 'audit-1').executeTakeFirstOrThrow();
    expect(audit).toMatchObject({ actor: `employee:${acme.employees.hr.id}`, action: 'bot.command', details: { chatType: 'group', command: '今日' } });

    // The same platform message again (an inbox retry after the bot acted) is never run twice.
    const again = await admitBotSender(features, { tenantId: acme.tenantId, platformUserId: hrUserId, messageId: 'audit-1', text: '今日', chatType: 'group' });
    expect(again).toMatchObject({ allowed: false, reason: 'replayed' });
    expect(textOf(await say('今日', { sender: interviewerUserId }))).toContain('只有 HR 和用人经理');
    expect(textOf(await say('今日', { sender: 'someone-not-in-roster' }))).toContain('通讯录');
  });

  it('answers garbage and unknown commands with help, never a guess', async () => {
    expect(textOf(await say('帮助'))).toContain('约面 <候选人姓名或手机尾号>');
    expect(textOf(await say('随便聊聊'))).toContain('没听懂');
    expect(textOf(await say('约面 张三'))).toContain('还缺少职位');
    expect(textOf(await say('订阅'))).toContain('还缺少时间');
  });
});

describe('约面, 今日, 改期, 取消 against the scheduling API', () => {
  let candidateId: string;

  it('schedules at a natural time with the panel by @-mention, invites the candidate and masks the name in the group', async () => {
    candidateId = await candidateWithApplication('张三丰', '13900001234');
    const answer = await say('约面 张三丰 后端 明天下午3点 @面试官', { mentions: [{ id: interviewerUserId, name: '面试官' }] });
    const card = cardOf(answer);
    expect(card.title).toBe('面试已安排，已邀请候选人');
    expect(card.description).toContain('张**');
    expect(card.description).not.toContain('张三丰');
    expect(card.description).toContain('11月24日（周二）15:00');
    expect(card.description).toContain('技术一面');
    const [interview] = await interviewsOf(candidateId);
    expect(interview).toMatchObject({ status: 'scheduled' });
    expect(interview!.starts_at!.toISOString()).toBe('2026-11-24T07:00:00.000Z');
    const invite = await db.db.selectFrom('outbox').select(['channel']).where('recipient', '=', candidateId).where('channel', '=', 'candidate_message').execute();
    expect(invite).toHaveLength(1);
  });

  it('finds WeCom mentions (names only) by exact name, and refuses a name that is not in the roster', async () => {
    const other = await candidateWithApplication('李四光', '13900005678');
    expect(textOf(await say('约面 5678 后端 让候选人选时间 @没这人', { mentions: [{ id: '', name: '没这人' }] }))).toContain('通讯录里没有“没这人”');
    const answer = await say('约面 5678 后端 让候选人选时间 @用人经理', { mentions: [{ id: '', name: '用人经理' }] });
    expect(cardOf(answer).title).toBe('已请候选人选时间');
    expect((await interviewsOf(other))[0]).toMatchObject({ status: 'awaiting_candidate' });
  });

  it('never guesses a time: a window is refused with a hint, an ambiguous one comes back as buttons', async () => {
    const third = await candidateWithApplication('王五', '13900009999');
    expect(textOf(await say('约面 王五 后端 明天 @面试官', { mentions: [{ id: interviewerUserId, name: '面试官' }] }))).toContain('是一个时间段');
    expect(textOf(await say('约面 王五 后端 下下下个月的某天 @面试官', { mentions: [{ id: interviewerUserId, name: '面试官' }] }))).toMatch(/没听懂|可以这样说/);
    const asked = cardOf(await say('约面 王五 后端 3点 @面试官', { mentions: [{ id: interviewerUserId, name: '面试官' }] }));
    expect(asked.buttons[0]!.label).toContain('15:00');
    expect(await interviewsOf(third)).toHaveLength(0);
    const done = cardOf(await click(asked.buttons[0]!.key));
    expect(done.title).toBe('面试已安排，已邀请候选人');
    expect((await interviewsOf(third))[0]!.starts_at!.toISOString()).toBe('2026-11-23T07:00:00.000Z');
    expect(textOf(await click('hb1.forged'))).toContain('已失效');
  });

  it('shows today and this week with unconfirmed and confirmed marks, and the candidate’s confirmation', async () => {
    expect(textOf(await say('今日'))).toContain('未确认');
    const week = textOf(await say('本周'));
    expect(week).toContain('张** · 后端工程师 · 技术一面 · ⏳ 未确认');
    const [interview] = await interviewsOf(candidateId);
    await db.db.updateTable('interviews').set({ status: 'confirmed', confirmed_at: clock.now() }).where('id', '=', interview!.id).execute();
    expect(textOf(await say('本周'))).toContain('张** · 后端工程师 · 技术一面 · ✅ 已确认');
    expect(textOf(await say('本周', { chatType: 'single' }))).toContain('张三丰 · 后端工程师');
  });

  it('reschedules to a new natural time; the candidate must confirm again', async () => {
    const answer = cardOf(await say('改期 1234 周三上午10点'));
    expect(answer.title).toContain('已改期');
    const [interview] = await interviewsOf(candidateId);
    expect(interview).toMatchObject({ status: 'scheduled' });
    expect(interview!.starts_at!.toISOString()).toBe('2026-11-25T02:00:00.000Z');
  });

  it('cancels only after the confirmation click', async () => {
    const asked = cardOf(await say('取消 张三丰 候选人已接受其他机会'));
    expect(asked.title).toBe('确认取消这场面试？');
    expect((await interviewsOf(candidateId))[0]!.status).toBe('scheduled');
    expect(textOf(await click(asked.buttons[1]!.key))).toContain('已取消操作');
    expect((await interviewsOf(candidateId))[0]!.status).toBe('scheduled');
    expect(textOf(await click(asked.buttons[0]!.key))).toContain('已取消面试');
    expect((await interviewsOf(candidateId))[0]!.status).toBe('cancelled');
  });

  it('shows a candidate masked in a group and by name 1:1, never the full phone', async () => {
    const group = textOf(await say('候选人 1234'));
    expect(group).toContain('张**');
    expect(group).toContain('139****1234');
    expect(group).not.toContain('张三丰');
    const direct = textOf(await say('候选人 1234', { chatType: 'single' }));
    expect(direct).toContain('张三丰');
    expect(direct).not.toContain('13900001234');
  });
});

describe('charts and pulse', () => {
  it('sends the funnel as a PNG rendered on the server, with the numbers as text', async () => {
    await candidateWithApplication('赵六', '13900004321');
    // Rows are stamped by the database's now(); the test clock is elsewhere, so put the applications into the period.
    await sql`update applications set created_at = '2026-11-20T02:00:00Z' where job_id = ${jobId}`.execute(db.db);
    const answer = await say('漏斗 后端 近30天');
    const image = answer.replies.find((r) => r.kind === 'image');
    expect(image?.kind).toBe('image');
    const png = (image as Extract<Reply, { kind: 'image' }>).png;
    expect([...png.slice(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    expect(png.length).toBeGreaterThan(3000);
    expect(textOf(answer)).toContain('投递 4 → 筛选 3 → 面试 3 → 录用意向 0 → 入职 0');
    expect(textOf(await say('漏斗 后端 上辈子'))).toContain('没听懂期间');
    // The same endpoints serve the H5 HR view.
    const direct = await api.http.get(`/api/charts/funnel.png?jobId=${jobId}&period=month`).set(auth(hrToken)).buffer(true).expect(200);
    expect(direct.type).toBe('image/png');
    const noShows = await api.http.get('/api/charts/no-shows.png?period=90d').set(auth(hrToken)).buffer(true).expect(200);
    expect(noShows.type).toBe('image/png');
    expect((await api.http.get('/api/charts/interviewer-load.png?period=7d').set(auth(hrToken)).buffer(true).expect(200)).type).toBe('image/png');
    const load = await db.features(clock).stores.bot.interviewerLoad(acme.tenantId, new Date('2026-11-16T00:00:00Z'), new Date('2026-11-30T00:00:00Z'), { all: true }, 10);
    expect(load).toEqual([{ name: '面试官', interviews: 1 }]);
    expect((await api.http.get(`/api/charts/funnel.png?jobId=${jobId}&period=forever`).set(auth(hrToken)).expect(400)).body.code).toBe('VALIDATION_FAILED');
    expect((await api.http.get(`/api/reports/funnel?jobId=${jobId}`).set(auth(hrToken)).expect(200)).body).toMatchObject({ jobTitle: '后端工程师', period: '30d', steps: [{ stage: 'applied', count: 4 }, { stage: 'screening', count: 3 }, { stage: 'interviewing', count: 3 }, { stage: 'offer', count: 0 }, { stage: 'hired', count: 0 }] });
    expect(textOf(await say('漏斗 不存在的职位'))).toContain('找不到职位');
  });

  it('shows satisfaction only from five answers on', async () => {
    expect(textOf(await say('满意度'))).toContain('请告诉我职位');
    expect(textOf(await say('满意度 后端'))).toContain('目前 0 份回复，满 5 份后才显示');
  });

  it('ends the bot’s session after five minutes', async () => {
    const admitted = await admitBotSender(db.features(clock), { tenantId: acme.tenantId, platformUserId: hrUserId, messageId: 'late', text: '今日', chatType: 'group' });
    if (!admitted.allowed) throw new Error('not admitted');
    const bot = createServerApi({ baseUrl, token: admitted.token });
    await expect(bot.agenda('today')).resolves.toMatchObject({ range: 'today' });
    clock.advance(301_000);
    await expect(bot.agenda('today')).rejects.toMatchObject({ status: 401, code: 'UNAUTHENTICATED' });
  });
});
