import { createHash, randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startSimulator, type Simulator } from '@hirebridge/simulator';
import { dingtalkRobotSender } from '../../server/src/adapters/dingtalk/robot-sender';
import { DingtalkStreamConnection } from '../../server/src/adapters/dingtalk/stream-connection';
import { postgresTokenCache } from '../../server/src/adapters/postgres/token-cache';
import { createCandidate } from '../../server/src/features/candidates';
import type { FeatureContext } from '../../server/src/features/context';
import { acceptInboundEvent } from '../../server/src/features/inbox';
import { createJob, publishCompetencyModel } from '../../server/src/features/jobs';
import type { PlatformApp } from '../../server/src/features/platform';
import type { Logger } from '../../server/src/observability/logger';
import type { Clock } from '../../server/src/ports/clock';
import { createTestApp, type TestApp } from './app';
import { createTestDatabase, type TestDatabase } from './database';
import { competencyModelInput, createTenant, signIn, type TenantFixture } from './fixtures';

/**
 * The set-up the bot's integration tests share: the test app listening on a real port (the bot runtime calls the
 * server API over HTTP), a company with an open job and an applicant, DingTalk's stream connection and robot sender
 * against the simulator, and an interview that ended with two panelists and no scorecards.
 */

const month = 30 * 86_400_000;
const auth = (token: string) => ({ authorization: `Bearer ${token}` });

/** Polls until the condition holds (the simulator and the stream connection work asynchronously). */
export async function waitFor(condition: () => Promise<boolean> | boolean, what: string, timeoutMs = 5_000): Promise<void> {
  const started = Date.now();
  while (!(await condition())) {
    if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** The test app on 127.0.0.1 and a free port. */
export async function listen(api: TestApp): Promise<{ server: Server; baseUrl: string }> {
  const server = createServer(api.app.callback());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

/**
 * A fresh database, the simulator and the test app listening on a port: what every bot test starts with. When a later
 * part fails to start, the earlier ones are stopped again.
 */
export async function startBotHarness(options: { clock: Clock; secretsEnv: Record<string, string>; simulator: Omit<NonNullable<Parameters<typeof startSimulator>[0]>, 'clock'> }) {
  const db = await createTestDatabase();
  let sim: Simulator | undefined;
  try {
    const features = db.features(options.clock);
    sim = await startSimulator({ clock: options.clock, ...options.simulator });
    const api = createTestApp(db, { clock: options.clock, secretsEnv: options.secretsEnv });
    return { db, features, sim, api, ...(await listen(api)) };
  } catch (error) {
    await stopAll({ sim, db });
    throw error;
  }
}

/** Stops what a test started, in reverse order; each part may be missing (a set-up that failed half way). */
export async function stopAll(parts: { connection?: { stop(): Promise<void> }; server?: Server; sim?: Simulator; db?: TestDatabase }): Promise<void> {
  await parts.connection?.stop();
  parts.server?.closeAllConnections();
  await new Promise((resolve) => parts.server?.close(resolve));
  await parts.sim?.stop();
  await parts.db?.drop();
}

/** The employee's user id on the chat platform (what the simulator's users are keyed by). */
export async function platformUserIdOf(db: TestDatabase, employeeId: string): Promise<string> {
  return (await db.db.selectFrom('employees').select('platform_user_id').where('id', '=', employeeId).executeTakeFirstOrThrow()).platform_user_id;
}

/** An open job (one round, 技术一面) with a competency model, made through the API by `hr`. */
export async function openJob(api: TestApp, hr: string, tenant: TenantFixture): Promise<string> {
  const job = await api.http.post('/api/jobs').set(auth(hr)).send({ title: '前端工程师', departmentId: tenant.departmentId, rounds: [{ name: '技术一面', durationMinutes: 60 }] }).expect(201);
  await api.http.put(`/api/jobs/${job.body.id}/competency-model`).set(auth(hr)).send(competencyModelInput()).expect(201);
  await api.http.post(`/api/jobs/${job.body.id}/status`).set(auth(hr)).send({ status: 'open' }).expect(200);
  return job.body.id as string;
}

/** A candidate who applied to the job, through the API; their id. */
export async function applicant(api: TestApp, hr: string, jobId: string, candidate: { name: string; phone: string }): Promise<string> {
  const created = await api.http.post('/api/candidates').set(auth(hr)).send(candidate).expect(201);
  await api.http.post('/api/applications').set(auth(hr)).send({ candidateId: created.body.id, jobId }).expect(201);
  return created.body.id as string;
}

/** A company with an open job, a candidate who applied (林晓雨), and an HR person who can talk to the bot. */
export async function company(db: TestDatabase, api: TestApp, platform: 'wecom' | 'dingtalk') {
  const tenant = await createTenant(db.db, { platform });
  const hr = await signIn(db.db, tenant, tenant.employees.hr.id, month);
  const jobId = await openJob(api, hr, tenant);
  const candidateId = await applicant(api, hr, jobId, { name: '林晓雨', phone: '13912345678' });
  return { tenant, hr, jobId, candidateId, hrUserId: await platformUserIdOf(db, tenant.employees.hr.id), interviewerUserId: await platformUserIdOf(db, tenant.employees.interviewer.id) };
}

/** The candidate, signed in to the mini-program, confirms through the candidate API. */
export async function candidateConfirms(db: TestDatabase, api: TestApp, tenantId: string, candidateId: string, interviewId: string): Promise<void> {
  const token = randomBytes(32).toString('base64url');
  await db.db.insertInto('sessions').values({
    token_hash: createHash('sha256').update(token).digest(), tenant_id: tenantId, candidate_id: candidateId, method: 'wechat_miniapp',
    expires_at: new Date(Date.now() + month), last_seen_at: new Date(Date.now() + month),
  }).execute();
  await api.http.post(`/api/candidate/interviews/${interviewId}/confirm`).set(auth(token)).expect(200);
}

/**
 * An interview of the application's job's first round that ended (completed, `startsAt`–`endsAt`) with two panelists
 * (the interviewer as lead, the manager as member) and no scorecards: two late scorecards once its time has passed.
 */
export async function endedInterview(db: TestDatabase, tenant: TenantFixture, input: { applicationId: string; jobId: string; startsAt: string; endsAt: string }): Promise<string> {
  const round = await db.db.selectFrom('interview_rounds').select('id').where('job_id', '=', input.jobId).executeTakeFirstOrThrow();
  const model = await db.db.selectFrom('competency_models').select('id').where('job_id', '=', input.jobId).executeTakeFirstOrThrow();
  const interviewId = (await db.db.insertInto('interviews').values({
    tenant_id: tenant.tenantId, application_id: input.applicationId, round_id: round.id, competency_model_id: model.id, status: 'completed',
    starts_at: new Date(input.startsAt), ends_at: new Date(input.endsAt), schedule_version: 1,
  }).returning('id').executeTakeFirstOrThrow()).id;
  await db.db.insertInto('interview_panelists').values([
    { tenant_id: tenant.tenantId, interview_id: interviewId, employee_id: tenant.employees.interviewer.id, role: 'lead' },
    { tenant_id: tenant.tenantId, interview_id: interviewId, employee_id: tenant.employees.manager.id, role: 'member' },
  ]).execute();
  return interviewId;
}

/** The DingTalk robot sender on every channel it serves (group, 1:1, card updates), tokens cached in PostgreSQL. */
export function dingtalkSenders(deps: { features: FeatureContext; db: TestDatabase; env: Record<string, string>; clock: Clock; log: Logger }) {
  const sender = dingtalkRobotSender({
    findApp: (tenantId) => deps.features.stores.platform.findAppOfKind(tenantId, 'dingtalk_app'), env: deps.env, tokens: postgresTokenCache(deps.db.db, deps.clock), log: deps.log, sleep: async () => undefined,
  });
  return { dingtalk_group: sender, dingtalk_oto: sender, dingtalk_card_update: sender };
}

/** The tenant's DingTalk app's stream connection, storing into the inbox, connected to the simulator's gateway. */
export async function connectDingtalkStream(deps: { app: PlatformApp; env: Record<string, string>; features: FeatureContext; log: Logger; sim: Simulator; appKey: string }): Promise<DingtalkStreamConnection> {
  const connection = new DingtalkStreamConnection({
    app: deps.app, env: deps.env, accept: (event) => acceptInboundEvent(deps.features, event), log: deps.log, keepAlive: false, backoff: { baseMs: 20, maxMs: 2_000, stableMs: 60_000 },
  });
  connection.start();
  await waitFor(() => deps.sim.dingtalk.liveConnections(deps.appKey) > 0, 'the stream connection');
  return connection;
}

/** An open job 数据分析师 (one round, 初面) with a published competency model, made by the admin through the features. */
export async function analystJob(features: FeatureContext, db: TestDatabase, tenant: TenantFixture): Promise<{ jobId: string; roundId: string; competencyModelId: string }> {
  const admin = tenant.employees.admin.principal;
  const job = await createJob(features, admin, { title: '数据分析师', departmentId: tenant.departmentId, description: '', location: '', headcount: 1, hiringManagerId: null, ownerHrId: null, rounds: [{ name: '初面', durationMinutes: 60 }] });
  const model = await publishCompetencyModel(features, admin, job.id, competencyModelInput());
  await db.db.updateTable('jobs').set({ status: 'open' }).where('id', '=', job.id).execute();
  const round = await db.db.selectFrom('interview_rounds').select('id').where('job_id', '=', job.id).executeTakeFirstOrThrow();
  return { jobId: job.id, roundId: round.id, competencyModelId: model.id };
}

/** 周同学 interviewing for 数据分析师, whose interview ended (`startsAt`–`endsAt`) with two panelists and no scorecards. */
export async function lateScorecardsInterview(features: FeatureContext, db: TestDatabase, tenant: TenantFixture, times: { startsAt: string; endsAt: string }): Promise<string> {
  const { jobId } = await analystJob(features, db, tenant);
  const candidate = await createCandidate(features, tenant.employees.admin.principal, { name: '周同学', phone: '13700000009', email: null, source: 'other', timeZone: null, resumeText: '', talentPool: false });
  const application = await db.db.insertInto('applications').values({ tenant_id: tenant.tenantId, candidate_id: candidate.id, job_id: jobId, stage: 'interviewing' }).returning('id').executeTakeFirstOrThrow();
  return endedInterview(db, tenant, { applicationId: application.id, jobId, ...times });
}
