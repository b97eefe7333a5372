// HR bot: (1) command round trip excluding platform latency — from a stored inbound message to the reply queued in
// the outbox: admitting the sender (a 'bot' session, the audit row), the bot's HTTP calls to the server as that
// person (loopback, the real Koa app and PostgreSQL) and enqueueing the answer; (2) natural-time parser throughput
// through the endpoint's parser; (3) chart rendering per image (ECharts SSR → SVG → PNG with resvg).
// Needs the PostgreSQL server (HB_BENCH_PG_ADMIN_URL).
//
//   node --import tsx tests/bench/bot.ts
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { httpBotRuntime } from '../../server/src/adapters/bot/http-runtime';
import { renderBarPng, renderFunnelPng } from '../../server/src/adapters/charts/render';
import { connectDatabase } from '../../server/src/adapters/postgres/database';
import { migrateToLatest } from '../../server/src/adapters/postgres/migrator';
import { postgresStores, postgresTransact } from '../../server/src/adapters/postgres/stores';
import { CreateJob } from '../../server/contracts';
import { readTime } from '../../server/src/features/bot';
import { botInboxHandlers } from '../../server/src/features/bot/inbound';
import type { FeatureContext } from '../../server/src/features/context';
import { processDueEvents } from '../../server/src/features/inbox';
import { createApp } from '../../server/src/http/create-app';
import { createLogger } from '../../server/src/observability/logger';
import { fixedClock } from '../../server/src/ports/clock';
import { competencyModelInput, createTenant } from '../support/fixtures';
import { distribution, envNumber, isMain, ms, table, type BenchSummary } from './support';

const adminUrl = process.env.HB_BENCH_PG_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

async function adminQuery(text: string) {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    return await client.query(text);
  } finally {
    await client.end();
  }
}

const row = (label: string, samples: number[]) => {
  const d = distribution(samples);
  const sorted = [...samples].sort((a, b) => a - b);
  const p95 = sorted[Math.min(sorted.length - 1, Math.ceil(0.95 * sorted.length) - 1)]!;
  return [label, String(d.count), ms(d.p50), ms(p95), ms(d.max)];
};

export async function run(): Promise<BenchSummary> {
  const n = envNumber('HB_BENCH_BOT_COMMANDS', 100);
  const dbName = `hb_bench_bot_${process.pid}_${randomBytes(3).toString('hex')}`;
  await adminQuery(`create database ${dbName}`);
  const url = new URL(adminUrl);
  url.pathname = `/${dbName}`;
  const log = createLogger({ level: 'silent' });
  const database = connectDatabase({ url: url.toString(), poolMax: 8, log, applicationName: 'hirebridge-bench-bot' });
  const server = createServer();
  try {
    await migrateToLatest(database.db as never);
    const clock = fixedClock('2026-11-23T02:00:00Z');
    const features: FeatureContext = { stores: postgresStores(database.db, undefined, clock), transact: postgresTransact(database.db, undefined, clock), clock };
    const app = createApp({ features, log, devLogin: false, http: { bodyLimitBytes: 256 * 1024, trustProxy: false }, readiness: { check: async () => ({ database: 'up', migrations: 'applied', draining: false }) } });
    server.on('request', app.callback());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

    // A company with one open job, 50 candidates who applied, and 50 interviews this week.
    const tenant = await createTenant(database.db, { name: '机器人压测公司' });
    const hr = { kind: 'employee' as const, tenantId: tenant.tenantId, employeeId: tenant.employees.hr.id, roles: ['hr' as const] };
    const { createJob, publishCompetencyModel, changeJobStatus } = await import('../../server/src/features/jobs');
    const job = await createJob(features, hr, CreateJob.parse({ title: '后端工程师', departmentId: tenant.departmentId, rounds: [{ name: '技术一面', durationMinutes: 60 }] }));
    await publishCompetencyModel(features, hr, job.id, competencyModelInput());
    await changeJobStatus(features, hr, job.id, 'open');
    const users = await database.db.selectFrom('employees').select(['id', 'platform_user_id', 'name']).where('tenant_id', '=', tenant.tenantId).execute();
    const hrUser = users.find((u) => u.id === tenant.employees.hr.id)!.platform_user_id;
    const interviewer = users.find((u) => u.id === tenant.employees.interviewer.id)!;
    for (let i = 0; i < 50; i++) {
      const c = await features.stores.candidates.insertCandidate(tenant.tenantId, { name: `候选人${i}`, phone: `1390000${String(i).padStart(4, '0')}`, email: null, source: 'other', timeZone: null, resumeText: '', talentPool: false });
      await database.db.insertInto('applications').values({ tenant_id: tenant.tenantId, candidate_id: c.id, job_id: job.id, stage_changed_at: new Date() }).execute();
    }

    // The inbox needs a platform app row for its foreign key.
    const aibot = await features.stores.platform.insertApp(tenant.tenantId, { kind: 'wecom_aibot', corpId: 'wwbench', agentId: 'bench', secretRef: 'env:NONE', callbackTokenRef: null, encodingAesKeyRef: null, apiBaseUrl: baseUrl });
    const handlers = botInboxHandlers({ features, runtime: httpBotRuntime({ baseUrl: () => baseUrl }) });
    let seq = 0;
    /** One command: stored as the WeCom AI bot would store it, then handled; the time is inbox claim → reply queued. */
    async function command(text: string): Promise<number> {
      const id = `bench-${++seq}`;
      await features.stores.inbox.accept({
        tenantId: tenant.tenantId, appId: aibot.id, dedupeKey: id, kind: 'bot.message',
        payload: {
          platform: 'wecom', messageId: id, botId: 'bench', chatType: 'group', chatId: 'wrkBench', senderUserId: hrUser, text, msgtype: 'text',
          reply: { channel: 'wecom_aibot_push', chatId: 'wrkBench' }, push: { channel: 'wecom_aibot_push', chatId: 'wrkBench' }, via: 'callback', receivedAt: clock.now().toISOString(),
        },
      });
      const start = performance.now();
      const result = await processDueEvents(features, handlers, { batchSize: 1 });
      const took = performance.now() - start;
      if (result.handled !== 1) throw new Error(`command not handled: ${JSON.stringify(result)}`);
      return took;
    }

    for (let i = 0; i < 10; i++) await command('帮助');
    const samples: Record<string, number[]> = { help: [], today: [], candidate: [], schedule: [], funnel: [], report: [] };
    for (let i = 0; i < n; i++) {
      samples.help!.push(await command('帮助'));
      samples.today!.push(await command('本周'));
      samples.candidate!.push(await command(`候选人 ${String(i % 50).padStart(4, '0')}`));
      if (i < 50) samples.schedule!.push(await command(`约面 ${String(i).padStart(4, '0')} 后端 让候选人选时间 @${interviewer.name}`));
      if (i < 30) samples.funnel!.push(await command('漏斗 后端 近30天'));
      if (i < 20) samples.report!.push(await command('报表 近30天'));
    }

    // Parser throughput through the endpoint's parser.
    const corpus = ['明天下午3点', '下周二上午十点半', '周五14:00-15:00', '后天', '3月5日', '周四下午2点半', '明天上午9:15', '3点', '国庆节', '下下周五下午4点'];
    const now = new Date('2026-11-23T02:00:00Z');
    for (let i = 0; i < 2000; i++) readTime(corpus[i % corpus.length]!, { now, timeZone: 'Asia/Shanghai' });
    const parses = envNumber('HB_BENCH_BOT_PARSES', 20000);
    const t0 = performance.now();
    for (let i = 0; i < parses; i++) readTime(corpus[i % corpus.length]!, { now, timeZone: 'Asia/Shanghai' });
    const perSecond = parses / ((performance.now() - t0) / 1000);

    // Charts per image.
    const funnelData = { title: '后端工程师 招聘漏斗 Funnel', subtitle: '近30天 last 30 days', steps: [{ label: '投递 Applied', count: 120 }, { label: '筛选 Screening', count: 60 }, { label: '面试 Interview', count: 25 }, { label: '录用意向 Offer', count: 6 }, { label: '入职 Hired', count: 4 }] };
    const barData = { title: '未到场率 No-show rate', subtitle: '近30天', percent: true, bars: Array.from({ length: 8 }, (_, i) => ({ label: `职位${i + 1}`, value: (i * 3) / 100 })) };
    for (let i = 0; i < 5; i++) renderFunnelPng(funnelData);
    const funnelTimes: number[] = [];
    const barTimes: number[] = [];
    let bytes = 0;
    for (let i = 0; i < 40; i++) {
      let s = performance.now();
      bytes = renderFunnelPng(funnelData).length;
      funnelTimes.push(performance.now() - s);
      s = performance.now();
      renderBarPng(barData);
      barTimes.push(performance.now() - s);
    }

    const text = [
      'Command round trip, stored message → reply queued (ms; excludes platform latency; loopback HTTP, one at a time):',
      table(['command', 'n', 'p50', 'p95', 'max'], [
        row('帮助 (parse + admit + enqueue)', samples.help!),
        row('本周 (agenda)', samples.today!),
        row('候选人 <手机尾号> (3 API calls)', samples.candidate!),
        row('约面 … 让候选人选时间 (offer, invites)', samples.schedule!),
        row('漏斗 (funnel JSON + PNG)', samples.funnel!),
        row('报表 (at once + follow-up: 3 reports, 3 PNGs)', samples.report!),
      ]),
      `Natural-time parser through the endpoint's parser: ${Math.round(perSecond).toLocaleString('en')} messages/s (${parses} mixed phrasings, one core)`,
      'Chart rendering per image (ms; 720×420 PNG):',
      table(['chart', 'n', 'p50', 'p95', 'max'], [row(`funnel (${bytes} bytes)`, funnelTimes), row('bar, 8 jobs', barTimes)]),
    ].join('\n');
    console.log(text);
    return { title: 'HR bot', text };
  } finally {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    await database.close();
    await adminQuery(`drop database if exists ${dbName} with (force)`);
  }
}

if (isMain(import.meta.url)) {
  run().then(
    () => process.exit(0),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}
