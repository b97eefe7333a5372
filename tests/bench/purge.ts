// Retention purge throughput: 100k synthetic candidates (HB_BENCH_PURGE_CANDIDATES) of one tenant, written set-based
// (INSERT … SELECT generate_series) with encrypted-looking personal columns, applications decided 200 days ago, some
// in the talent pool, some hired or still live, a tenth with an interview holding raw audio and a transcript, half
// with a WeChat channel, and audit events older than three years. Then the purge as the nightly job runs it (the
// feature, in this process, batches of 1000 per transaction): wall time, candidates anonymised per second and rows
// deleted or rewritten per second, per class and in total. Needs the PostgreSQL server (HB_BENCH_PG_ADMIN_URL).
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { connectDatabase } from '../../server/src/adapters/postgres/database';
import { migrateToLatest } from '../../server/src/adapters/postgres/migrator';
import { postgresStores, postgresTransact } from '../../server/src/adapters/postgres/stores';
import type { FeatureContext } from '../../server/src/features/context';
import { changeJobStatus, createJob, publishCompetencyModel } from '../../server/src/features/jobs';
import { runPurge, type DataClass } from '../../server/src/features/retention';
import { createLogger } from '../../server/src/observability/logger';
import { systemClock } from '../../server/src/ports/clock';
import { competencyModelInput, createTenant } from '../support/fixtures';
import { envNumber, isMain, table, type BenchSummary } from './support';

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

export async function run(): Promise<BenchSummary> {
  const n = envNumber('HB_BENCH_PURGE_CANDIDATES', 100_000);
  const batchSize = envNumber('HB_BENCH_PURGE_BATCH', 1000);
  const dbName = `hb_bench_purge_${process.pid}_${randomBytes(3).toString('hex')}`;
  await adminQuery(`create database ${dbName}`);
  const url = new URL(adminUrl);
  url.pathname = `/${dbName}`;
  const database = connectDatabase({ url: url.toString(), poolMax: 4, log: createLogger({ level: 'silent' }), applicationName: 'hirebridge-bench-purge' });
  try {
    await migrateToLatest(database.db as never);
    const version = (await database.pool.query<{ v: string }>(`select split_part(version(), ' on ', 1) as v`)).rows[0]!.v;
    const features: FeatureContext = { stores: postgresStores(database.db), transact: postgresTransact(database.db), clock: systemClock };
    const now = systemClock.now();

    // --- data set ---------------------------------------------------------------------------------------------
    console.log(`generating ${n} candidates…`);
    const generateStart = performance.now();
    const tenant = await createTenant(database.db, { name: '清理压测公司' });
    const hr = tenant.employees.hr;
    const job = await createJob(features, hr.principal, {
      departmentId: tenant.departmentId,
      title: '压测职位',
      description: '',
      location: '上海',
      headcount: 1,
      hiringManagerId: null,
      ownerHrId: hr.id,
      rounds: [{ name: '一面', durationMinutes: 60 }],
    });
    const model = await publishCompetencyModel(features, hr.principal, job.id, competencyModelInput([60, 40]));
    await changeJobStatus(features, hr.principal, job.id, 'open');
    const q = (text: string, values: unknown[] = []) => database.pool.query(text, values);
    const t = tenant.tenantId;
    const cand = `md5('cand' || i)::uuid`;
    // 10% talent pool, 5% hired, 2% with a live application: the rest (~83%) is due.
    await q(
      `insert into candidates (id, tenant_id, name, source, talent_pool, phone_enc, email_enc, id_number_enc, resume_enc,
                               phone_masked, email_masked, id_number_masked, phone_tail, phone_lookup)
       select ${cand}, $1, '候选人' || i, 'job_board', i % 10 = 3,
              'v1.k1.' || md5('p' || i) || md5('pp' || i), 'v1.k1.' || md5('e' || i) || md5('ee' || i),
              'v1.k1.' || md5('d' || i) || md5('dd' || i), 'v1.k1.' || repeat(md5('r' || i), 24),
              '138****' || lpad((i % 10000)::text, 4, '0'), 'c***@example.com', '3101**********' || lpad((i % 10000)::text, 4, '0'),
              lpad((i % 10000)::text, 4, '0'), decode(md5('l' || i) || md5('ll' || i), 'hex')
         from generate_series(1, $2) as i`,
      [t, n],
    );
    await q(
      `insert into applications (tenant_id, candidate_id, job_id, stage, stage_changed_at, decided_by, decision_reason)
       select $1, ${cand}, $2,
              case when i % 20 = 7 then 'hired' when i % 50 = 9 then 'interviewing' when i % 4 = 0 then 'withdrawn' else 'rejected' end,
              $3::timestamptz - interval '200 days', case when i % 50 = 9 or i % 4 = 0 then null else $4::uuid end,
              case when i % 4 <> 0 and i % 50 <> 9 and i % 20 <> 7 then '经验与岗位要求不符' end
         from generate_series(1, $5) as i`,
      [t, job.id, now, hr.id, n],
    );
    await q(
      `insert into application_stage_events (tenant_id, application_id, from_stage, to_stage, actor_id, at)
       select tenant_id, id, 'applied', stage, decided_by, stage_changed_at from applications where tenant_id = $1`,
      [t],
    );
    await q(`insert into candidate_channels (tenant_id, candidate_id) select $1, ${cand} from generate_series(1, $2, 2) as i`, [t, n]);
    // A tenth has an interview 210 days ago (half of them signed off 40 days ago, so the raw-audio class takes their
    // audio; the rest goes with the candidate): consent, 4 audio chunks of 4 KiB, 10 transcript segments.
    await q(
      `insert into consents (tenant_id, candidate_id, purpose, notice_version, channel, given_at)
       select $1, ${cand}, p, '2026-01', 'miniapp', $3::timestamptz - interval '400 days'
         from generate_series(1, $2, 10) as i, unnest(array['interview_recording', 'transcription']) as p`,
      [t, n, now],
    );
    await q(
      `insert into interviews (id, tenant_id, application_id, round_id, competency_model_id, status, starts_at, ends_at, transcript_signed_off_at)
       select md5('iv' || i)::uuid, $1, a.id, $2, $3, 'completed', $4::timestamptz - interval '210 days' - interval '1 hour', $4::timestamptz - interval '210 days',
              case when i % 20 = 1 then $4::timestamptz - interval '40 days' end
         from generate_series(1, $5, 10) as i join applications a on a.candidate_id = ${cand}`,
      [t, job.rounds[0]!.id, model.id, now, n],
    );
    await q(
      `insert into interview_audio (tenant_id, interview_id, seq, bytes)
       select $1, md5('iv' || i)::uuid, s, decode(repeat(md5('a' || i || s), 256), 'hex')
         from generate_series(1, $2, 10) as i, generate_series(0, 3) as s`,
      [t, n],
    );
    await q(
      `insert into transcript_segments (tenant_id, interview_id, seq, started_ms, ended_ms, text)
       select $1, md5('iv' || i)::uuid, s, s * 5000, s * 5000 + 4000, '我在上一家公司负责支付系统的重构，团队有八个人。' || i
         from generate_series(1, $2, 10) as i, generate_series(0, 9) as s`,
      [t, n],
    );
    await q(
      `insert into audit_events (tenant_id, at, actor, action, object_type, object_id)
       select $1, $3::timestamptz - interval '1100 days' + i * interval '1 second', 'system:bench', 'candidate.view', 'candidate', i::text
         from generate_series(1, $2) as i`,
      [t, Math.floor(n / 2), now],
    );
    await q('vacuum analyze');
    const generateSeconds = (performance.now() - generateStart) / 1000;
    const sizes = (
      await q(
        `select (select count(*) from candidates)::int as candidates, (select count(*) from applications)::int as applications,
                (select count(*) from interview_audio)::int as audio, (select count(*) from transcript_segments)::int as segments,
                (select count(*) from candidate_channels)::int as channels, (select count(*) from audit_events)::int as audit,
                pg_size_pretty(pg_database_size(current_database())) as size`,
      )
    ).rows[0] as Record<string, number | string>;
    const funnel = async () =>
      JSON.stringify((await q(`select stage, count(*)::int as n from applications where tenant_id = $1 group by 1 order by 1`, [t])).rows);
    const funnelBefore = await funnel();

    // --- dry run, then the purge -------------------------------------------------------------------------------
    console.log('dry run…');
    const dryStart = performance.now();
    const dry = await runPurge(features, { dryRun: true });
    const dryMs = performance.now() - dryStart;

    console.log('purging…');
    const marks: { dataClass: DataClass; at: number }[] = [];
    const purgeStart = performance.now();
    const report = await runPurge(features, { batchSize, onProgress: (p) => marks.push({ dataClass: p.dataClass, at: performance.now() }) });
    const purgeSeconds = (performance.now() - purgeStart) / 1000;
    if (report.failed > 0) throw new Error(`purge failed: ${JSON.stringify(report.tenants)}`);
    const funnelAfter = await funnel();
    const records = (await q(`select count(*)::int as n from deletion_records where run_id = $1`, [report.runId])).rows[0].n as number;
    const left = (await q(`select count(*)::int as n from interview_audio`)).rows[0].n as number;

    // Per class: from the end of the previous class (the last progress mark) to its own last mark.
    const classes = report.tenants.find((x) => x.tenantId === t)!.classes;
    let previous = purgeStart;
    const rows = classes.map((c) => {
      const last = marks.filter((m) => m.dataClass === c.dataClass).at(-1)?.at;
      const seconds = last === undefined ? 0 : (last - previous) / 1000;
      if (last !== undefined) previous = last;
      const dryObjects = dry.tenants.find((x) => x.tenantId === t)!.classes.find((d) => d.dataClass === c.dataClass)!.objects;
      return [
        c.dataClass,
        String(dryObjects),
        String(c.objects),
        String(c.rows),
        seconds ? seconds.toFixed(2) : '-',
        seconds ? (c.objects / seconds).toFixed(0) : '-',
        seconds ? ((c.rows ?? 0) / seconds).toFixed(0) : '-',
      ];
    });
    const anonymised = classes.find((c) => c.dataClass === 'rejected_candidate_data')!.objects;
    const text = [
      `PostgreSQL: server ${url.host}, fresh database ${dbName}, ${version}`,
      `data: ${sizes.candidates} candidates (10% talent pool, 5% hired, 2% live), ${sizes.applications} applications decided 200 days ago, ` +
        `${sizes.audio} audio chunks (4 KiB) + ${sizes.segments} transcript segments on ${Number(sizes.audio) / 4} interviews, ${sizes.channels} WeChat channels, ` +
        `${sizes.audit} audit events > 3 years; ${sizes.size}; generated in ${generateSeconds.toFixed(1)} s`,
      table(['class', 'dry-run objects', 'objects', 'rows', 'seconds≈', 'objects/s', 'rows/s'], rows),
      `purge: ${purgeSeconds.toFixed(2)} s wall, batches of ${batchSize}; ${anonymised} candidates anonymised = ${(anonymised / purgeSeconds).toFixed(0)} candidates/s over the whole run; ` +
        `${report.totals.rows} rows deleted or rewritten = ${(report.totals.rows / purgeSeconds).toFixed(0)} rows/s; ${records} deletion records`,
      `dry run (counts + samples of every class): ${(dryMs / 1000).toFixed(2)} s; audio chunks left: ${left}; funnel (applications per stage) unchanged: ${funnelBefore === funnelAfter ? 'yes' : 'NO'}`,
      '(seconds≈ per class: from the previous class’s last batch to this class’s last batch)',
    ].join('\n');
    console.log(`\n${text}`);
    return { title: 'Retention purge (PostgreSQL server)', text };
  } finally {
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
