// Session check overhead per request: the cost of turning a bearer token into a principal (SHA-256 of the token, one
// indexed lookup joining the employee or candidate and invitation, the idle/absolute/status checks), measured in the
// bench process against PostgreSQL on loopback. Printed beside the floor of any database call (`SELECT 1` on the same
// pool), so the part that is ours is visible. The idle-time touch (an UPDATE at most once a minute per session) is
// measured on its own. Needs the PostgreSQL server (HB_BENCH_PG_ADMIN_URL).
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { sql } from 'kysely';
import pg from 'pg';
import { connectDatabase } from '../../server/src/adapters/postgres/database';
import { migrateToLatest } from '../../server/src/adapters/postgres/migrator';
import { postgresStores, postgresTransact } from '../../server/src/adapters/postgres/stores';
import type { FeatureContext } from '../../server/src/features/context';
import { authenticate, startCandidateSession, startEmployeeSession } from '../../server/src/features/sessions';
import { createLogger } from '../../server/src/observability/logger';
import { fixedClock } from '../../server/src/ports/clock';
import { createTenant } from '../support/fixtures';
import { distribution, envNumber, isMain, table, type BenchSummary } from './support';

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

async function time(n: number, work: () => Promise<unknown>): Promise<number[]> {
  for (let i = 0; i < Math.min(500, n); i++) await work();
  const samples: number[] = [];
  for (let i = 0; i < n; i++) {
    const start = performance.now();
    await work();
    samples.push((performance.now() - start) * 1000);
  }
  return samples;
}

const us = (value: number) => `${value.toFixed(0)} µs`;

export async function run(): Promise<BenchSummary> {
  const n = envNumber('HB_BENCH_SESSION_CHECKS', 5000);
  const dbName = `hb_bench_session_${process.pid}_${randomBytes(3).toString('hex')}`;
  await adminQuery(`create database ${dbName}`);
  const url = new URL(adminUrl);
  url.pathname = `/${dbName}`;
  const database = connectDatabase({ url: url.toString(), poolMax: 4, log: createLogger({ level: 'silent' }), applicationName: 'hirebridge-bench-session' });
  try {
    await migrateToLatest(database.db as never);
    const clock = fixedClock(new Date());
    const features: FeatureContext = { stores: postgresStores(database.db), transact: postgresTransact(database.db), clock };
    const tenant = await createTenant(database.db, { name: '会话压测公司' });
    // 10 000 other sessions so the lookup is an index probe in a real-sized table, not a scan of a tiny one.
    await sql`INSERT INTO sessions (token_hash, tenant_id, employee_id, expires_at)
              SELECT sha256(convert_to(g::text || ${randomBytes(8).toString('hex')}, 'UTF8')), ${tenant.tenantId}, ${tenant.employees.interviewer.id}, now() + interval '1 day'
                FROM generate_series(1, 10000) g`.execute(database.db);
    await sql`ANALYZE sessions`.execute(database.db);
    const hr = await startEmployeeSession(features.stores, clock.now(), { tenantId: tenant.tenantId, employeeId: tenant.employees.hr.id, roles: ['hr'] }, 'demo');
    const candidate = await features.stores.candidates.insertCandidate(tenant.tenantId, { name: '压测候选人', phone: '13900000000', email: null, source: 'other', timeZone: null, resumeText: '', talentPool: false });
    const cand = await startCandidateSession(features.stores, clock.now(), { tenantId: tenant.tenantId, candidateId: candidate.id, invitation: null }, 'wechat_miniapp');

    const floor = distribution(await time(n, () => sql`SELECT 1`.execute(database.db)));
    const employee = distribution(await time(n, () => authenticate(features, hr.token)));
    const candidateCheck = distribution(await time(n, () => authenticate(features, cand.token)));
    // The touch: every call more than a minute after the last one writes last_seen_at.
    const touch = distribution(
      await time(Math.min(n, 2000), async () => {
        clock.advance(61_000);
        await authenticate(features, hr.token).catch(() => undefined);
      }),
    );
    const rows = [
      ['SELECT 1 (floor of any query)', us(floor.p50), us(floor.p90), us(floor.p99), us(floor.max)],
      ['session check, employee', us(employee.p50), us(employee.p90), us(employee.p99), us(employee.max)],
      ['session check, candidate', us(candidateCheck.p50), us(candidateCheck.p90), us(candidateCheck.p99), us(candidateCheck.max)],
      ['session check + idle touch (≤ 1/min)', us(touch.p50), us(touch.p90), us(touch.p99), us(touch.max)],
    ];
    const text = [
      table(['', 'p50', 'p90', 'p99', 'max'], rows),
      `per request the check costs p50 ${us(employee.p50)}, of which ${us(floor.p50)} is the round trip any query pays: ${us(Math.max(0, employee.p50 - floor.p50))} of our own (${n} sequential checks, 10 000 sessions in the table)`,
    ].join('\n');
    console.log(text);
    return { title: 'Session check', text };
  } finally {
    await database.close();
    await adminQuery(`drop database if exists ${dbName}`);
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
