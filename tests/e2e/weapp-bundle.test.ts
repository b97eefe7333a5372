import type { Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from '@hirebridge/simulator';
import { postgresTokenCache } from '../../server/src/adapters/postgres/token-cache';
import { wechatCandidateSignInFor } from '../../server/src/adapters/wechat/sign-in';
import { createLogger } from '../../server/src/observability/logger';
import { createApplication } from '../../server/src/features/applications';
import { createCandidate } from '../../server/src/features/candidates';
import type { FeatureContext } from '../../server/src/features/context';
import { changeJobStatus, createJob, publishCompetencyModel } from '../../server/src/features/jobs';
import { fixedClock } from '../../server/src/ports/clock';
import { createTestApp } from '../support/app';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { competencyModelInput, createTenant, signIn, type TenantFixture } from '../support/fixtures';
import { repoRoot } from './browser';
import { closeServer, listenLocally } from './page-helpers';
import { buildWeapp, forwardRequests, tap, untilShown as until, weappApiUrl as apiUrl, weappTemplate as template } from './weapp-helpers';
import { renderedText, WeappVm, weappRoot } from './weapp-vm';

/**
 * A smoke run of the compiled weapp bundle: the real `app.js` and page bundles in a Node vm, a WeChat stand-in that
 * sends requests to a real server and gets login codes from the platform simulator. It proves the weapp build loads,
 * signs in with wx.login, renders the invitation, asks for the subscription templates at the confirm tap, and
 * confirms — the platform branch (`*.weapp.ts`) is the one that runs.
 */
const mpAppId = 'wx5eb0a7bd0c1e2f30';
const env = { HB_W_MP_SECRET: 'mp-secret-weapp' };
const clock = fixedClock('2026-11-23T01:00:00Z');

let db: TestDatabase;
let sim: Simulator;
let server: Server;
let baseUrl: string;
let tenant: TenantFixture;
let features: FeatureContext;
let root: string;

describe('weapp bundle in a Node vm', () => {
  beforeAll(async () => {
    root = buildWeapp();
    expect(root).toBe(weappRoot(repoRoot));
    db = await createTestDatabase();
    const base = db.features(clock);
    features = {
      ...base,
      signIn: {
        employee: async () => undefined,
        candidate: wechatCandidateSignInFor({
          findApp: (tenantId) => base.stores.platform.findAppOfKind(tenantId, 'wechat_miniprogram'),
          env,
          tokens: postgresTokenCache(db.db, clock),
          log: createLogger({ level: 'silent' }),
        }),
      },
    };
    sim = await startSimulator({ clock });
    tenant = await createTenant(db.db);
    ({ server, baseUrl } = await listenLocally(createTestApp(db, { features, secretsEnv: env }).app.callback()));
    await features.stores.platform.insertApp(tenant.tenantId, {
      kind: 'wechat_miniprogram', corpId: mpAppId, agentId: null, secretRef: 'env:HB_W_MP_SECRET', callbackTokenRef: null, encodingAesKeyRef: null, apiBaseUrl: sim.url,
    });
    sim.wechat.addMiniProgram({ appId: mpAppId, secret: env.HB_W_MP_SECRET, templates: [{ id: template, keys: ['thing1', 'time2', 'thing3', 'thing4'] }] });
  }, 180_000);

  afterAll(async () => {
    await closeServer(server);
    await sim?.stop();
    await db?.drop();
  });

  it('signs in with wx.login, shows the invitation, asks for reminders at the confirm tap, and confirms', async () => {
    const hr = tenant.employees.hr.principal;
    const job = await createJob(features, hr, {
      departmentId: tenant.departmentId, title: '数据分析师', description: '', location: '上海', headcount: 1,
      hiringManagerId: tenant.employees.manager.id, ownerHrId: tenant.employees.hr.id, rounds: [{ name: '业务面', durationMinutes: 45 }],
    });
    await publishCompetencyModel(features, hr, job.id, competencyModelInput([50, 50]));
    await changeJobStatus(features, hr, job.id, 'open');
    const candidate = await createCandidate(features, hr, { name: '周子涵', phone: '13900001111', email: null, source: 'campus', timeZone: null, resumeText: '', talentPool: false });
    const application = await createApplication(features, hr, { candidateId: candidate.id, jobId: job.id });
    const token = await signIn(db.db, tenant, tenant.employees.hr.id, 60 * 24 * 3600_000);
    const scheduled = await fetch(`${baseUrl}/api/applications/${application.id}/interviews`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ roundId: job.rounds[0]!.id, startsAt: '2026-11-25T06:00:00Z', location: '星河大厦 12 层', panel: [{ employeeId: tenant.employees.manager.id }] }),
    });
    expect(scheduled.status).toBe(201);
    const { id: interviewId, invitationUrl } = (await scheduled.json()) as { id: string; invitationUrl: string };
    const invitationToken = new URL(invitationUrl.replace('#', '')).searchParams.get('token')!;

    const requests: string[] = [];
    const weapp = new WeappVm(root, {
      appId: mpAppId,
      login: () => sim.wechat.login('weapp-user', mpAppId),
      subscribe: (ids) => Object.fromEntries(ids.map((id) => [id, 'accept'])),
      request: forwardRequests(apiUrl, baseUrl, requests),
    });
    weapp.launch();
    const page = weapp.open('pages/invite/index', { token: invitationToken });
    const shown = await until(page, '数据分析师');
    expect(shown).toContain('待确认');
    expect(shown).toContain('11月25日（周三）14:00–14:45');
    expect(requests[0]).toBe('POST /api/auth/candidate/code');
    expect(weapp.calls.some((c) => c.api === 'login')).toBe(true);

    tap(page, 'confirm');
    await until(page, '请先同意处理个人信息');
    expect(weapp.calls.some((c) => c.api === 'requestSubscribeMessage')).toBe(false);
    tap(page, 'consent-personal_data');
    await until(page, '✓处理我的个人信息');
    tap(page, 'confirm');
    await until(page, '我们会在面试前提醒您');
    expect(renderedText(page.data)).toContain('已确认');
    const prompt = weapp.calls.find((c) => c.api === 'requestSubscribeMessage');
    expect(prompt?.args).toMatchObject({ tmplIds: [template] });
    expect(requests).toContain('POST /api/candidate/subscriptions');
    expect(requests).toContain(`POST /api/candidate/interviews/${interviewId}/confirm`);
    const row = await db.db.selectFrom('interviews').select('status').where('id', '=', interviewId).executeTakeFirstOrThrow();
    expect(row.status).toBe('confirmed');
    const balance = await db.db.selectFrom('candidate_subscription_balances').select(['template_id', 'balance']).where('candidate_id', '=', candidate.id).execute();
    expect(balance).toEqual([{ template_id: template, balance: 1 }]);
    const consent = await db.db.selectFrom('consents').select('channel').where('candidate_id', '=', candidate.id).executeTakeFirstOrThrow();
    expect(consent.channel).toBe('miniapp');
  }, 60_000);
});
