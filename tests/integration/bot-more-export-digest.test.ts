import type { Server } from 'node:http';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServerApi, handleMessage, type BotAnswer, type InboundMessage } from '@hirebridge/bot';
import { startDigestDispatcher } from '../../server/src/adapters/schedule/digest-schedule';
import { readZip } from '../../server/src/adapters/xlsx/zip';
import { admitBotSender, dispatchDueDigests } from '../../server/src/features/bot';
import type { FeatureContext } from '../../server/src/features/context';
import { createLogger } from '../../server/src/observability/logger';
import { fixedClock } from '../../server/src/ports/clock';
import { createTestApp, type TestApp } from '../support/app';
import { analystJob, listen, stopAll } from '../support/bot-harness';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { createTenant, type TenantFixture } from '../support/fixtures';

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
/** A past or future interview of a new candidate on the test job, with the interviewer as lead (set up in beforeAll). */
let makeInterview: (name: string, startsAt: string, status: string) => Promise<string>;

async function say(text: string, options: { sender?: string; chatType?: 'group' | 'single'; chatId?: string } = {}): Promise<BotAnswer> {
  const senderId = options.sender ?? users.hr!;
  const chatType = options.chatType ?? 'group';
  const message: InboundMessage = {
    platform: 'wecom', tenantId: t.tenantId, messageId: `m-${Math.random()}`, chatType, chatId: options.chatId ?? (chatType === 'group' ? groupId : senderId), senderId, text, mentions: [],
  };
  const admitted = await admitBotSender(features, { tenantId: t.tenantId, platformUserId: senderId, messageId: message.messageId, text, chatType, platform: 'wecom', chatId: message.chatId });
  if (!admitted.allowed) return { replies: [{ kind: 'markdown', content: admitted.message }] };
  // Long commands (同步, 导出) answer at once and complete later: both parts, in order.
  const answer = await handleMessage(message, createServerApi({ baseUrl, token: admitted.token }));
  return { replies: [...answer.replies, ...((await answer.followUp) ?? [])] };
}
const textOf = (answer: BotAnswer) => answer.replies.map((r) => (r.kind === 'markdown' ? r.content : r.kind === 'card' ? `${r.title}\n${r.description}` : r.alt)).join('\n');
const outboxTo = (recipient: string) => db.db.selectFrom('outbox').selectAll().where('recipient', '=', recipient).orderBy('created_at').execute();
const digestRow = async () => (await sql<{ next_run_at: Date; local_time: string; last_sent_at: Date | null }>`SELECT next_run_at, local_time, last_sent_at FROM bot_digests WHERE chat_id = ${groupId}`.execute(db.db)).rows[0];

beforeAll(async () => {
  db = await createTestDatabase();
  features = { ...db.features(clock), publicUrl };
  api = createTestApp(db, { features });
  ({ server, baseUrl } = await listen(api));
  t = await createTenant(db.db);
  for (const [k, e] of Object.entries(t.employees)) {
    users[k] = (await db.db.selectFrom('employees').select('platform_user_id').where('id', '=', e.id).executeTakeFirstOrThrow()).platform_user_id;
  }
  const admin = t.employees.admin.principal;
  const { createCandidate } = await import('../../server/src/features/candidates');
  const job = await analystJob(features, db, t);
  const interview = async (name: string, startsAt: string, status: string) => {
    const candidate = await createCandidate(features, admin, { name, phone: null, email: null, source: 'other', timeZone: null, resumeText: '', talentPool: false });
    const app = await db.db.insertInto('applications').values({ tenant_id: t.tenantId, candidate_id: candidate.id, job_id: job.jobId, stage: 'interviewing' }).returning('id').executeTakeFirstOrThrow();
    const id = (await db.db.insertInto('interviews').values({
      tenant_id: t.tenantId, application_id: app.id, round_id: job.roundId, competency_model_id: job.competencyModelId, status,
      starts_at: new Date(startsAt), ends_at: new Date(Date.parse(startsAt) + 3_600_000), schedule_version: 1,
    }).returning('id').executeTakeFirstOrThrow()).id;
    await db.db.insertInto('interview_panelists').values({ tenant_id: t.tenantId, interview_id: id, employee_id: t.employees.interviewer.id, role: 'lead' }).execute();
    return id;
  };
  makeInterview = interview;
  const done = await interview('周同学', '2026-11-20T03:00:00Z', 'completed');
  await sql`INSERT INTO scorecards (tenant_id, interview_id, interviewer_id, status, recommendation, submitted_at)
            VALUES (${t.tenantId}, ${done}, ${t.employees.interviewer.id}, 'submitted', 'strong_yes', ${new Date('2026-11-20T06:00:00Z')})`.execute(db.db);
  await interview('吴同学', '2026-11-24T06:00:00Z', 'confirmed'); // Tuesday 14:00 in Shanghai
});
afterAll(() => stopAll({ server, db }));

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
    const res = await api.http.post(link).buffer(true).parse((r, done) => {
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

    const again = await api.http.post(link).expect(404);
    expect(again.body.code).toBe('NOT_FOUND');
    expect((await sql<{ body: Buffer | null }>`SELECT body FROM bot_exports`.execute(db.db)).rows[0]!.body).toBeNull();
  });

  it('expires after ten minutes, and refuses garbage tokens', async () => {
    await say('导出', { chatType: 'single' });
    const latest = (await outboxTo(users.hr!)).at(-1)!;
    const url = (latest.payload as { message: { url: string } }).message.url.slice(publicUrl.length);
    clock.set('2026-11-23T02:10:01Z');
    await api.http.post(url).expect(404);
    expect((await api.http.get('/api/exports/short').expect(404)).body.code).toBe('NOT_FOUND');
    clock.set('2026-11-23T02:00:00Z');
  });
});

/** The sheet's rows as { column letter → text }, the header first. */
function sheetRows(xml: string): Record<string, string>[] {
  return [...xml.matchAll(/<row [^>]*>(.*?)<\/row>/g)].map((row) =>
    Object.fromEntries([...row[1]!.matchAll(/<c r="([A-Z]+)\d+"[^>]*>(?:<v>([^<]*)<\/v>|<is><t[^>]*>([^<]*)<\/t><\/is>)<\/c>/g)].map((c) => [c[1]!, c[2] ?? c[3] ?? ''])),
  );
}

async function downloadSheet(url: string): Promise<string> {
  const res = await api.http.post(url).buffer(true).parse((r, done) => {
    const chunks: Buffer[] = [];
    r.on('data', (c: Buffer) => chunks.push(c));
    r.on('end', () => done(null, Buffer.concat(chunks)));
  }).expect(200);
  return Buffer.from(readZip(res.body as Buffer).find((p) => p.name === 'xl/worksheets/sheet1.xml')!.data).toString('utf8');
}

describe('导出 keeps scoring independent', () => {
  it('never exports a draft’s recommendation or average, nor others’ while the requester’s own scoring seat is unsubmitted', async () => {
    const competencies = (await sql<{ id: string }>`SELECT id FROM competencies WHERE tenant_id = ${t.tenantId} ORDER BY id LIMIT 2`.execute(db.db)).rows.map((r) => r.id);
    expect(competencies).toHaveLength(2);
    const card = async (interviewId: string, interviewerId: string, status: 'draft' | 'submitted', recommendation: string, levels: [number, number]) => {
      const { rows: [row] } = await sql<{ id: string }>`
        INSERT INTO scorecards (tenant_id, interview_id, interviewer_id, status, recommendation, submitted_at)
        VALUES (${t.tenantId}, ${interviewId}, ${interviewerId}, ${status}, ${recommendation}, ${status === 'submitted' ? new Date('2026-11-21T08:00:00Z') : null}) RETURNING id`.execute(db.db);
      for (const [i, level] of levels.entries()) {
        await sql`INSERT INTO scorecard_ratings (tenant_id, scorecard_id, competency_id, level, note) VALUES (${t.tenantId}, ${row!.id}, ${competencies[i]!}, ${level}, '有依据')`.execute(db.db);
      }
    };
    const seat = (interviewId: string, employeeId: string, role: 'member' | 'shadow') =>
      db.db.insertInto('interview_panelists').values({ tenant_id: t.tenantId, interview_id: interviewId, employee_id: employeeId, role }).execute();
    const hr = t.employees.hr.id;
    const interviewer = t.employees.interviewer.id;
    // 郑: the interviewer's card is still a draft (强烈推荐, 3.5). HR is not on the panel.
    const draft = await makeInterview('郑同学', '2026-11-21T02:00:00Z', 'completed');
    await card(draft, interviewer, 'draft', 'strong_yes', [3, 4]);
    // 王: HR scores on this panel and has not submitted; the interviewer submitted (强烈不推荐, 1.5).
    const blind = await makeInterview('王同学', '2026-11-21T04:00:00Z', 'completed');
    await seat(blind, hr, 'member');
    await card(blind, interviewer, 'submitted', 'strong_no', [1, 2]);
    // 冯: HR only shadows (does not score): the submitted card (推荐, 2.5) is HR's to see.
    const shadowed = await makeInterview('冯同学', '2026-11-21T06:00:00Z', 'completed');
    await seat(shadowed, hr, 'shadow');
    await card(shadowed, interviewer, 'submitted', 'yes', [2, 3]);
    // 陈: HR scored and submitted (推荐, 3); so did the interviewer (不推荐, 2): HR sees both.
    const both = await makeInterview('陈同学', '2026-11-21T07:00:00Z', 'completed');
    await seat(both, hr, 'member');
    await card(both, interviewer, 'submitted', 'no', [2, 2]);
    await card(both, hr, 'submitted', 'yes', [3, 3]);

    await say('导出', { chatType: 'single' });
    const latest = (await outboxTo(users.hr!)).at(-1)!;
    const rows = sheetRows(await downloadSheet((latest.payload as { message: { url: string } }).message.url.slice(publicUrl.length)));
    expect(rows[0]).toMatchObject({ D: '候选人', G: '面试官', I: '评分卡', J: '推荐意见', K: '平均分（1–4）' });
    const of = (candidate: string) => rows.filter((r) => r.D === candidate).map((r) => [r.G ?? '', r.I ?? '', r.J ?? '', r.K ?? '']);
    const hrName = (await db.db.selectFrom('employees').select('name').where('id', '=', hr).executeTakeFirstOrThrow()).name;
    const interviewerName = (await db.db.selectFrom('employees').select('name').where('id', '=', interviewer).executeTakeFirstOrThrow()).name;
    expect(of('郑同学')).toEqual([[interviewerName, '草稿', '', '']]);
    expect(of('王同学')).toEqual(expect.arrayContaining([[hrName, '未填写', '', ''], [interviewerName, '已提交', '', '']]));
    expect(of('冯同学')).toEqual(expect.arrayContaining([[hrName, '未填写', '', ''], [interviewerName, '已提交', '推荐', '2.5']]));
    expect(of('陈同学')).toEqual(expect.arrayContaining([[hrName, '已提交', '推荐', '3'], [interviewerName, '已提交', '不推荐', '2']]));
    // Without a seat, the admin sees 王's submitted card; the draft stays blank for everyone.
    await say('导出', { chatType: 'single', sender: users.admin! });
    const adminLink = (await outboxTo(users.admin!)).at(-1)!;
    const adminRows = sheetRows(await downloadSheet((adminLink.payload as { message: { url: string } }).message.url.slice(publicUrl.length)));
    const adminOf = (candidate: string) => adminRows.filter((r) => r.D === candidate && r.G === interviewerName).map((r) => [r.J ?? '', r.K ?? '']);
    expect(adminOf('王同学')).toEqual([['强烈不推荐', '1.5']]);
    expect(adminOf('郑同学')).toEqual([['', '']]);
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
    // Waits for the dispatcher's own word that it sent (logged after its transaction committed), not for a time
    // window: a slow machine only makes this slower. The test's timeout is the safety net.
    let reported!: (line: string) => void;
    const dispatched = new Promise<string>((resolve) => { reported = resolve; });
    const log = createLogger({ level: 'info', destination: { write: (line: string) => { if (/bot digests dispatched|bot digest dispatch failed/.test(line)) reported(line); } } });
    const dispatcher = startDigestDispatcher({ features, log, maxSleepMs: 50 });
    try {
      expect(JSON.parse(await dispatched)).toMatchObject({ msg: 'bot digests dispatched', sent: 1, dropped: 0 });
      expect(await outboxTo(groupId)).toHaveLength(3);
      expect((await digestRow())!.next_run_at.toISOString()).toBe('2026-11-30T00:30:00.000Z');
      expect(dispatcher.nextWakeAt()).toBeInstanceOf(Date);
    } finally {
      await dispatcher.stop();
    }
  }, 60_000);
});
