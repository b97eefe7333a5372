import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createServerApi, handleMessage, type BotAnswer, type InboundMessage } from '@hirebridge/bot';
import { startDigestDispatcher } from '../../server/src/adapters/schedule/digest-schedule';
import { readZip } from '../../server/src/adapters/xlsx/zip';
import { admitBotSender, dispatchDueDigests } from '../../server/src/features/bot';
import type { FeatureContext } from '../../server/src/features/context';
import { createLogger } from '../../server/src/observability/logger';
import { fixedClock } from '../../server/src/ports/clock';
import { createTestApp, type TestApp } from '../support/app';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { competencyModelInput, createTenant, type TenantFixture } from '../support/fixtures';

/**
 * 导出 (an .xlsx sent 1:1 as a single-use ten-minute link, never into the group) and 订阅 (a daily digest in the
 * group from the database queue), through the real server over HTTP and real PostgreSQL.
 * Monday 23 November 2026, 10:00 in Shanghai.
 */
const clock = fixedClock('2026-11-23T02:00:00Z');
const publicUrl = 'https://hr.example.com';
const groupId = 'wrkDigestGroup';

let db: TestDatabase;
let api: TestApp;
let server: Server;
let baseUrl: string;
let t: TenantFixture;
let features: FeatureContext;
const users: Record<string, string> = {};

async function say(text: string, options: { sender?: string; chatType?: 'group' | 'single'; chatId?: string } = {}): Promise<BotAnswer> {
  const senderId = options.sender ?? users.hr!;
  const chatType = options.chatType ?? 'group';
  const message: InboundMessage = {
    platform: 'wecom', tenantId: t.tenantId, messageId: `m-${Math.random()}`, chatType, chatId: options.chatId ?? (chatType === 'group' ? groupId : senderId), senderId, text, mentions: [],
  };
  const admitted = await admitBotSender(features, { tenantId: t.tenantId, platformUserId: senderId, messageId: message.messageId, text, chatType });
  if (!admitted.allowed) return { replies: [{ kind: 'markdown', content: admitted.message }] };
  return handleMessage(message, createServerApi({ baseUrl, token: admitted.token }));
}
const textOf = (answer: BotAnswer) => answer.replies.map((r) => (r.kind === 'markdown' ? r.content : r.kind === 'card' ? `${r.title}\n${r.description}` : r.alt)).join('\n');
const outboxTo = (recipient: string) => db.db.selectFrom('outbox').selectAll().where('recipient', '=', recipient).orderBy('created_at').execute();
const digestRow = async () => (await sql<{ next_run_at: Date; local_time: string; last_sent_at: Date | null }>`SELECT next_run_at, local_time, last_sent_at FROM bot_digests WHERE chat_id = ${groupId}`.execute(db.db)).rows[0];

beforeAll(async () => {
  db = await createTestDatabase();
  features = { ...db.features(clock), publicUrl };
  api = createTestApp(db, { features });
  server = createServer(api.app.callback());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  t = await createTenant(db.db);
  for (const [k, e] of Object.entries(t.employees)) {
    users[k] = (await db.db.selectFrom('employees').select('platform_user_id').where('id', '=', e.id).executeTakeFirstOrThrow()).platform_user_id;
  }
  const admin = t.employees.admin.principal;
  const { createJob, publishCompetencyModel } = await import('../../server/src/features/jobs');
  const { createCandidate } = await import('../../server/src/features/candidates');
  const job = await createJob(features, admin, { title: '数据分析师', departmentId: t.departmentId, description: '', location: '', headcount: 1, hiringManagerId: null, ownerHrId: null, rounds: [{ name: '初面', durationMinutes: 60 }] });
  const model = await publishCompetencyModel(features, admin, job.id, competencyModelInput());
  await db.db.updateTable('jobs').set({ status: 'open' }).where('id', '=', job.id).execute();
  const round = await db.db.selectFrom('interview_rounds').select('id').where('job_id', '=', job.id).executeTakeFirstOrThrow();
  const interview = async (name: string, startsAt: string, status: string) => {
    const candidate = await createCandidate(features, admin, { name, phone: null, email: null, source: 'other', timeZone: null, resumeText: '', talentPool: false });
    const app = await db.db.insertInto('applications').values({ tenant_id: t.tenantId, candidate_id: candidate.id, job_id: job.id, stage: 'interviewing' }).returning('id').executeTakeFirstOrThrow();
    const id = (await db.db.insertInto('interviews').values({
      tenant_id: t.tenantId, application_id: app.id, round_id: round.id, competency_model_id: model.id, status,
      starts_at: new Date(startsAt), ends_at: new Date(Date.parse(startsAt) + 3_600_000), schedule_version: 1,
    }).returning('id').executeTakeFirstOrThrow()).id;
    await db.db.insertInto('interview_panelists').values({ tenant_id: t.tenantId, interview_id: id, employee_id: t.employees.interviewer.id, role: 'lead' }).execute();
    return id;
  };
  const done = await interview('周同学', '2026-11-20T03:00:00Z', 'completed');
  await sql`INSERT INTO scorecards (tenant_id, interview_id, interviewer_id, status, recommendation, submitted_at)
            VALUES (${t.tenantId}, ${done}, ${t.employees.interviewer.id}, 'submitted', 'strong_yes', ${new Date('2026-11-20T06:00:00Z')})`.execute(db.db);
  await interview('吴同学', '2026-11-24T06:00:00Z', 'confirmed'); // Tuesday 14:00 in Shanghai
});
afterAll(async () => {
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve));
  await db?.drop();
});

describe('导出', () => {
  let link: string;

  it('sends the requester alone a link, says so in the group without it, and audits the row count', async () => {
    const answer = textOf(await say('导出'));
    expect(answer).toContain('文件不会发到群里，已私信发给您');
    // The period ends now: the interview on Tuesday is not in it yet.
    expect(answer).toContain('1 行');
    expect(answer).not.toContain('/api/exports/');
    expect(await outboxTo(groupId)).toEqual([]);
    const [card] = await outboxTo(users.hr!);
    expect(card!.channel).toBe('employee_chat');
    const message = (card!.payload as { message: { title: string; url: string } }).message;
    expect(message.title).toBe('面试与评分导出（Excel）');
    expect(message.url).toMatch(new RegExp(`^${publicUrl}/api/exports/[A-Za-z0-9_-]{43}$`));
    link = message.url.slice(publicUrl.length);
    const [audit] = await db.db.selectFrom('audit_events').selectAll().where('action', '=', 'interviews.export').execute();
    expect(audit).toMatchObject({ actor: `employee:${t.employees.hr.id}`, details: expect.objectContaining({ rows: 1, period: '30d' }) });
    // Only the token's hash is stored.
    const stored = await sql<{ token_hash: Buffer }>`SELECT token_hash FROM bot_exports`.execute(db.db);
    expect(stored.rows[0]!.token_hash.toString('base64url')).not.toBe(link.split('/').at(-1));
  });

  it('downloads an .xlsx with the Chinese header and the rows, once', async () => {
    const res = await api.http.get(link).buffer(true).parse((r, done) => {
      const chunks: Buffer[] = [];
      r.on('data', (c: Buffer) => chunks.push(c));
      r.on('end', () => done(null, Buffer.concat(chunks)));
    }).expect(200);
    expect(res.headers['content-type']).toBe('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    expect(res.headers['content-disposition']).toContain('interviews-2026-10-24_2026-11-23.xlsx');
    const parts = readZip(res.body as Buffer);
    const sheet = Buffer.from(parts.find((p) => p.name === 'xl/worksheets/sheet1.xml')!.data).toString('utf8');
    expect(sheet).toContain('<t>面试开始</t>');
    expect(sheet).toContain('<t>推荐意见</t>');
    expect(sheet.match(/<row /g)).toHaveLength(2);
    expect(sheet).not.toContain('吴同学');
    expect(sheet).toContain('<t>2026-11-20 11:00</t>');
    expect(sheet).toContain('<t>周同学</t>');
    expect(sheet).toContain('<t>强烈推荐</t>');
    expect(sheet).toContain('<t>已提交</t>');
    const downloaded = await db.db.selectFrom('audit_events').selectAll().where('action', '=', 'interviews.export_downloaded').execute();
    expect(downloaded).toEqual([expect.objectContaining({ actor: `employee:${t.employees.hr.id}`, details: expect.objectContaining({ rows: 1 }) })]);

    const again = await api.http.get(link).expect(404);
    expect(again.body.code).toBe('NOT_FOUND');
    expect((await sql<{ body: Buffer | null }>`SELECT body FROM bot_exports`.execute(db.db)).rows[0]!.body).toBeNull();
  });

  it('expires after ten minutes, and refuses garbage tokens', async () => {
    await say('导出', { chatType: 'single' });
    const latest = (await outboxTo(users.hr!)).at(-1)!;
    const url = (latest.payload as { message: { url: string } }).message.url.slice(publicUrl.length);
    clock.set('2026-11-23T02:10:01Z');
    await api.http.get(url).expect(404);
    expect((await api.http.get('/api/exports/short').expect(404)).body.code).toBe('NOT_FOUND');
    clock.set('2026-11-23T02:00:00Z');
  });
});

describe('订阅', () => {
  it('subscribes the group to a daily digest at the local time, only in groups', async () => {
    expect(textOf(await say('订阅 每天 9:00', { chatType: 'single' }))).toContain('只能在群里订阅');
    expect(textOf(await say('订阅 随便'))).toContain('没看懂时间');
    expect(textOf(await say('订阅 每天 9:00'))).toContain('已订阅群日报：每天 09:00（Asia/Shanghai）');
    // Monday 10:00 in Shanghai: the next 9:00 is Tuesday's.
    expect((await digestRow())!.next_run_at.toISOString()).toBe('2026-11-24T01:00:00.000Z');
    const audit = await db.db.selectFrom('audit_events').selectAll().where('action', '=', 'bot.digest_subscribed').execute();
    expect(audit).toEqual([expect.objectContaining({ actor: `employee:${t.employees.hr.id}`, details: expect.objectContaining({ chatId: groupId, localTime: '09:00' }) })]);
  });

  it('posts today’s agenda into the group at that time, masked, once; two dispatchers never send it twice', async () => {
    expect(await dispatchDueDigests(features)).toEqual({ sent: 0, dropped: 0 });
    clock.set('2026-11-24T01:00:00Z');
    const results = await Promise.all([dispatchDueDigests(features), dispatchDueDigests(features)]);
    expect(results.reduce((n, r) => n + r.sent, 0)).toBe(1);
    const posted = await outboxTo(groupId);
    expect(posted).toHaveLength(1);
    expect(posted[0]!.channel).toBe('wecom_aibot_push');
    const content = (posted[0]!.payload as { message: { content: string } }).message.content;
    expect(content).toContain('今日面试');
    expect(content).toContain('14:00–15:00 吴** · 数据分析师 · 初面 · ⏳ 未确认（面试官）');
    expect(content).not.toContain('吴同学');
    expect((await digestRow())!.next_run_at.toISOString()).toBe('2026-11-25T01:00:00.000Z');
    expect(await dispatchDueDigests(features)).toEqual({ sent: 0, dropped: 0 });
  });

  it('after downtime sends one late digest, not a backlog', async () => {
    clock.set('2026-11-28T05:00:00Z'); // Saturday 13:00: Wednesday to Saturday were missed
    expect(await dispatchDueDigests(features)).toEqual({ sent: 1, dropped: 0 });
    expect(await dispatchDueDigests(features)).toEqual({ sent: 0, dropped: 0 });
    expect((await digestRow())!.next_run_at.toISOString()).toBe('2026-11-29T01:00:00.000Z');
    const posted = await outboxTo(groupId);
    expect(posted).toHaveLength(2);
    expect((posted[1]!.payload as { message: { content: string } }).message.content).toContain('今天暂无面试安排');
  });

  it('取消订阅 stops it; a subscriber who is no longer HR has theirs dropped', async () => {
    expect(textOf(await say('取消订阅'))).toBe('已取消本群的日报订阅。');
    expect(await digestRow()).toBeUndefined();
    expect(textOf(await say('取消订阅'))).toBe('本群没有订阅日报。');

    await say('订阅 每天下午5点半');
    expect((await digestRow())!.local_time).toBe('17:30');
    await db.db.updateTable('employees').set({ roles: ['interviewer'] }).where('id', '=', t.employees.hr.id).execute();
    clock.set('2026-11-28T09:30:00Z');
    expect(await dispatchDueDigests(features)).toEqual({ sent: 0, dropped: 1 });
    expect(await digestRow()).toBeUndefined();
  });

  it('is sent by the dispatcher the server starts, without being asked', async () => {
    clock.set('2026-11-29T00:00:00Z'); // Sunday 8:00 in Shanghai
    expect(textOf(await say('订阅 每天 8:30', { sender: users.admin! }))).toContain('每天 08:30');
    clock.set('2026-11-29T00:31:00Z');
    const dispatcher = startDigestDispatcher({ features, log: createLogger({ level: 'silent' }), maxSleepMs: 50 });
    try {
      await vi.waitFor(async () => expect(await outboxTo(groupId)).toHaveLength(3), { timeout: 5000, interval: 50 });
      expect((await digestRow())!.next_run_at.toISOString()).toBe('2026-11-30T00:30:00.000Z');
      expect(dispatcher.nextWakeAt()).toBeInstanceOf(Date);
    } finally {
      await dispatcher.stop();
    }
  });
});
