// WeCom callback ingestion and outbox dispatch, measured on the main command in its own process.
// 1. Signed, encrypted WeCom app callbacks sent at a fixed rate (open model: each request leaves on schedule whether
//    or not earlier ones were answered) for HB_BENCH_CALLBACK_SECONDS at 200 and 500 req/s; latency of the answer
//    as the sender sees it, and afterwards persisted rows counted against 200 answers (lost, duplicated).
// 2. The outbox worker delivering queued WeCom app messages to the platform simulator: messages per second, and
//    what the simulator silently dropped (must be 0: pacing honours WeCom's per-member caps).
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import { performance } from 'node:perf_hooks';
import { encrypt, getSignature } from '@wecom/crypto';
import pg from 'pg';
import { startSimulator } from '@hirebridge/simulator';
import {
  distribution,
  envNumber,
  isMain,
  ms,
  sleep,
  spawnMainCommand,
  table,
  waitForReady,
  type BenchSummary,
  type Distribution,
} from './support';

const adminUrl = process.env.HB_BENCH_PG_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const corpId = 'wwbenchcallbacks';
const agentId = 1000002;
const token = 'benchcallbacktoken';
const aesKey = 'jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C';
const appSecret = 'bench-app-secret';

interface RateRun {
  readonly rate: number;
  readonly sent: number;
  readonly ok: number;
  readonly failed: number;
  readonly persisted: number;
  readonly duplicates: number;
  readonly latency: Distribution;
  readonly achievedRate: number;
}

async function query<T extends pg.QueryResultRow>(url: string, text: string, values: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(text, values)).rows;
  } finally {
    await client.end();
  }
}

/** The callbacks of one run, encrypted and signed in advance so the sender spends its time sending. */
function prepareCallbacks(run: string, count: number, appId: string): { path: string; body: string }[] {
  const timestamp = String(Math.floor(Date.now() / 1000));
  return Array.from({ length: count }, (_, i) => {
    const inner = `<xml><ToUserName><![CDATA[${corpId}]]></ToUserName><FromUserName><![CDATA[user${i % 50}]]></FromUserName><CreateTime>${timestamp}</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[改到周四下午 ${i}]]></Content><MsgId>${run}${String(i).padStart(7, '0')}</MsgId><AgentID>${agentId}</AgentID></xml>`;
    const cipher = encrypt(aesKey, inner, corpId);
    const nonce = randomBytes(6).toString('hex');
    return {
      path: `/callbacks/wecom/${appId}?msg_signature=${getSignature(token, timestamp, nonce, cipher)}&timestamp=${timestamp}&nonce=${nonce}`,
      body: `<xml><ToUserName><![CDATA[${corpId}]]></ToUserName><AgentID><![CDATA[${agentId}]]></AgentID><Encrypt><![CDATA[${cipher}]]></Encrypt></xml>`,
    };
  });
}

/** Sends `requests` at `rate` per second on schedule, whatever the answers; resolves when every answer is in. */
async function sendAtRate(baseUrl: string, requests: { path: string; body: string }[], rate: number) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
  const url = new URL(baseUrl);
  const latencies: number[] = [];
  let ok = 0;
  let failed = 0;
  const start = performance.now();
  const pending: Promise<void>[] = [];
  let next = 0;
  while (next < requests.length) {
    const due = Math.min(requests.length, Math.floor(((performance.now() - start) * rate) / 1000) + 1);
    for (; next < due; next++) {
      const request = requests[next]!;
      const sentAt = performance.now();
      pending.push(
        new Promise<void>((resolve) => {
          const req = http.request(
            { host: url.hostname, port: url.port, path: request.path, method: 'POST', agent, headers: { 'content-type': 'text/xml', 'content-length': Buffer.byteLength(request.body) } },
            (res) => {
              res.resume();
              res.on('end', () => {
                if (res.statusCode === 200) {
                  ok++;
                  latencies.push(performance.now() - sentAt);
                } else failed++;
                resolve();
              });
            },
          );
          req.on('error', () => {
            failed++;
            resolve();
          });
          req.setTimeout(10_000, () => req.destroy(new Error('timeout')));
          req.end(request.body);
        }),
      );
    }
    await sleep(1);
  }
  const sendingSeconds = (performance.now() - start) / 1000;
  await Promise.all(pending);
  agent.destroy();
  return { ok, failed, latencies, achievedRate: requests.length / sendingSeconds };
}

export async function run(): Promise<BenchSummary> {
  const seconds = envNumber('HB_BENCH_CALLBACK_SECONDS', 60);
  const rates = [200, 500];
  const dbName = `hb_bench_cb_${process.pid}_${randomBytes(3).toString('hex')}`;
  await query(adminUrl, `create database ${dbName}`);
  const dbUrl = new URL(adminUrl);
  dbUrl.pathname = `/${dbName}`;
  const sim = await startSimulator();
  const main = await spawnMainCommand({
    env: {
      DATABASE_URL: dbUrl.toString(),
      HB_SIMULATOR: 'false',
      HB_BENCH_WECOM_TOKEN: token,
      HB_BENCH_WECOM_AES_KEY: aesKey,
      HB_BENCH_WECOM_SECRET: appSecret,
    },
  });
  try {
    await waitForReady(main);
    // A tenant connected to the simulator, as a real company is connected to WeCom.
    const [tenant] = await query<{ id: string }>(dbUrl.toString(), `insert into tenants (name, platform, corp_id) values ('压测公司', 'wecom', $1) returning id`, [corpId]);
    const [app] = await query<{ id: string }>(
      dbUrl.toString(),
      `insert into platform_apps (tenant_id, kind, corp_id, agent_id, secret_ref, callback_token_ref, encoding_aes_key_ref, api_base_url)
       values ($1, 'wecom_app', $2, $3, 'env:HB_BENCH_WECOM_SECRET', 'env:HB_BENCH_WECOM_TOKEN', 'env:HB_BENCH_WECOM_AES_KEY', $4) returning id`,
      [tenant!.id, corpId, String(agentId), sim.url],
    );
    sim.wecom.addCorp({ corpId, apps: [{ agentId, secret: appSecret }], callbackToken: token, encodingAesKey: aesKey });
    sim.wecom.addDepartment(corpId, { id: 1, name: '压测公司', parentid: 0 });
    for (let i = 0; i < 100; i++) sim.wecom.addUser(corpId, { userid: `member${i}`, name: `成员${i}`, department: [1] });
    sim.wecom.addUser(corpId, { userid: 'burst', name: '连发对象', department: [1] });

    // Warm-up: connections, JIT, the app lookup's plan.
    await sendAtRate(main.url, prepareCallbacks('9', 300, app!.id), 100);

    const runs: RateRun[] = [];
    for (const [index, rate] of rates.entries()) {
      const prefix = String(index + 1);
      console.log(`sending WeCom callbacks at ${rate} req/s for ${seconds} s…`);
      const requests = prepareCallbacks(prefix, rate * seconds, app!.id);
      const result = await sendAtRate(main.url, requests, rate);
      const [counts] = await query<{ n: string; dup: string }>(
        dbUrl.toString(),
        `select count(*) as n, coalesce(sum(duplicates), 0) as dup from inbox where dedupe_key like $1`,
        [`msg:${prefix}%`],
      );
      runs.push({
        rate,
        sent: requests.length,
        ok: result.ok,
        failed: result.failed,
        persisted: Number(counts!.n),
        duplicates: Number(counts!.dup),
        latency: distribution(result.latencies),
        achievedRate: result.achievedRate,
      });
    }

    // Outbox: 2000 app messages to 100 members (20 each, under the 25-a-minute pacing), then 30 to one new member.
    console.log('dispatching 2000 queued WeCom app messages to 100 members…');
    await query(
      dbUrl.toString(),
      `insert into outbox (tenant_id, channel, recipient, payload, idempotency_key)
       select $1, 'wecom_app', 'member' || (i % 100), jsonb_build_object('msgtype', 'text', 'text', jsonb_build_object('content', '面试提醒 ' || i)), 'bench:' || i
       from generate_series(1, 2000) as i`,
      [tenant!.id],
    );
    const dispatchStart = performance.now();
    let sent = 0;
    while (performance.now() - dispatchStart < 120_000) {
      const [row] = await query<{ n: string }>(dbUrl.toString(), `select count(*) as n from outbox where status = 'sent' and idempotency_key like 'bench:%'`);
      sent = Number(row!.n);
      if (sent >= 2000) break;
      await sleep(100);
    }
    const dispatchSeconds = (performance.now() - dispatchStart) / 1000;
    let received = 0;
    let dropped = 0;
    for (let i = 0; i < 100; i++) {
      received += sim.wecom.received(`member${i}`, corpId).length;
      dropped += sim.wecom.dropped(`member${i}`, corpId).length;
    }
    const [dead] = await query<{ n: string }>(dbUrl.toString(), `select count(*) as n from outbox where status = 'dead'`);

    await query(
      dbUrl.toString(),
      `insert into outbox (tenant_id, channel, recipient, payload, idempotency_key)
       select $1, 'wecom_app', 'burst', jsonb_build_object('msgtype', 'text', 'text', jsonb_build_object('content', '连发 ' || i)), 'burst:' || i
       from generate_series(1, 30) as i`,
      [tenant!.id],
    );
    await sleep(3000);
    const [burst] = await query<{ sent: string; waiting: string }>(
      dbUrl.toString(),
      `select count(*) filter (where status = 'sent') as sent, count(*) filter (where status = 'pending') as waiting from outbox where idempotency_key like 'burst:%'`,
    );

    const [metrics] = await Promise.all([fetch(`${main.url}/metrics`).then((r) => r.text())]);
    const serverCount = /hirebridge_http_request_duration_seconds_count\{method="POST",route="\/callbacks\/wecom\/:appId",status="200"\} (\d+)/.exec(metrics)?.[1];

    const callbackTable = table(
      ['rate', 'sent', 'answered 200', 'non-200', 'persisted', 'lost', 'duplicated', 'p50 ms', 'p90 ms', 'p99 ms', 'max ms', 'achieved req/s'],
      runs.map((r) => [
        `${r.rate}/s × ${seconds}s`,
        String(r.sent),
        String(r.ok),
        String(r.failed),
        String(r.persisted),
        String(r.ok - Math.min(r.ok, r.persisted)),
        String(r.duplicates),
        ms(r.latency.p50),
        ms(r.latency.p90),
        ms(r.latency.p99),
        ms(r.latency.max),
        r.achievedRate.toFixed(0),
      ]),
    );
    const outboxLine =
      `outbox: ${sent} of 2000 WeCom app messages to 100 members sent in ${dispatchSeconds.toFixed(1)} s = ${(sent / dispatchSeconds).toFixed(0)} msg/s; ` +
      `simulator received ${received}, silently dropped ${dropped}; dead ${dead!.n}\n` +
      `pacing: 30 queued for one member → ${burst!.sent} sent at once, ${burst!.waiting} waiting for the next minute (WeCom drops above 30/min; we stop at 25)`;
    const text = `${callbackTable}\n(latency seen by the sender, open model: each request left on schedule; server counted ${serverCount ?? '?'} callback 200s incl. warm-up)\n${outboxLine}`;
    console.log(`\n${text}`);
    return { title: 'WeCom callbacks and outbox dispatch (PostgreSQL server)', text };
  } finally {
    await main.stop();
    await sim.stop();
    await query(adminUrl, `drop database if exists ${dbName} with (force)`);
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
