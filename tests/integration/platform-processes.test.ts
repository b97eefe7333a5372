import { encrypt, getSignature } from '@wecom/crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from '@hirebridge/simulator';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { createTenant, type TenantFixture } from '../support/fixtures';
import { killAllChildren, startMain, waitUntil, type MainProcess } from '../support/spawn-server';

/**
 * The platform layer with real server processes: two instances on one database share one outbox and one inbox,
 * and a callback WeCom retries, replays or delivers to another instance, also across a restart, is stored and
 * handled once.
 */
const corpId = 'wwtwoprocesses';
const agentId = 1000002;
const secret = 'two-process-secret';
const token = 'twoprocesstoken';
const aesKey = 'jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C';

let db: TestDatabase;
let sim: Simulator;
let tenant: TenantFixture;
let appId: string;
const servers: MainProcess[] = [];

const serverEnv = () => ({
  DATABASE_URL: db.url,
  HB_SIMULATOR: 'false',
  HB_LOG_LEVEL: 'info',
  HB_TP_SECRET: secret,
  HB_TP_TOKEN: token,
  HB_TP_AES_KEY: aesKey,
});

function signedCallback(msgId: string) {
  const timestamp = String(Math.floor(Date.now() / 1000));
  const inner = `<xml><ToUserName><![CDATA[${corpId}]]></ToUserName><FromUserName><![CDATA[member1]]></FromUserName><CreateTime>${timestamp}</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[我确认参加]]></Content><MsgId>${msgId}</MsgId><AgentID>${agentId}</AgentID></xml>`;
  const cipher = encrypt(aesKey, inner, corpId);
  const nonce = String(Math.floor(Math.random() * 1e9));
  return {
    path: `/callbacks/wecom/${appId}?msg_signature=${getSignature(token, timestamp, nonce, cipher)}&timestamp=${timestamp}&nonce=${nonce}`,
    body: `<xml><ToUserName><![CDATA[${corpId}]]></ToUserName><AgentID><![CDATA[${agentId}]]></AgentID><Encrypt><![CDATA[${cipher}]]></Encrypt></xml>`,
  };
}

const deliver = (server: MainProcess, msgId: string) => {
  const callback = signedCallback(msgId);
  return fetch(server.url + callback.path, { method: 'POST', headers: { 'content-type': 'text/xml' }, body: callback.body }).then((r) => r.status);
};

beforeAll(async () => {
  db = await createTestDatabase();
  sim = await startSimulator();
  sim.wecom.addCorp({ corpId, apps: [{ agentId, secret }], callbackToken: token, encodingAesKey: aesKey });
  sim.wecom.addDepartment(corpId, { id: 1, name: '双实例公司', parentid: 0 });
  for (let i = 0; i < 30; i++) sim.wecom.addUser(corpId, { userid: `member${i}`, name: `成员${i}`, department: [1] });
  tenant = await createTenant(db.db);
  appId = (
    await db.features().stores.platform.insertApp(tenant.tenantId, {
      kind: 'wecom_app',
      corpId,
      agentId: String(agentId),
      secretRef: 'env:HB_TP_SECRET',
      callbackTokenRef: 'env:HB_TP_TOKEN',
      encodingAesKeyRef: 'env:HB_TP_AES_KEY',
      apiBaseUrl: sim.url,
    })
  ).id;
  servers.push(await startMain(serverEnv()), await startMain(serverEnv()));
}, 60_000);

afterAll(async () => {
  await killAllChildren();
  await sim.stop();
  await db.drop();
});

describe('two server processes on one database', () => {
  it('send every outbox row exactly once, and WeCom drops none', async () => {
    await db.db
      .insertInto('outbox')
      .values(
        Array.from({ length: 300 }, (_, i) => ({
          tenant_id: tenant.tenantId,
          channel: 'wecom_app',
          recipient: `member${i % 30}`,
          payload: JSON.stringify({ msgtype: 'text', text: { content: `双进程 ${i}` } }),
          idempotency_key: `two-process:${i}`,
        })),
      )
      .execute();
    await waitUntil(async () => {
      const row = await db.db.selectFrom('outbox').select((eb) => eb.fn.countAll().as('n')).where('status', '=', 'sent').executeTakeFirstOrThrow();
      return Number(row.n) === 300;
    }, 30_000, 100);
    const delivered: string[] = [];
    let dropped = 0;
    for (let i = 0; i < 30; i++) {
      delivered.push(...sim.wecom.received(`member${i}`, corpId).map((m) => m.content ?? ''));
      dropped += sim.wecom.dropped(`member${i}`, corpId).length;
    }
    expect(delivered).toHaveLength(300);
    expect(new Set(delivered).size).toBe(300);
    expect(dropped).toBe(0);
    // Every sent row keeps WeCom's msgid as its receipt.
    const receipts = await db.db.selectFrom('outbox').select('receipt').where('status', '=', 'sent').execute();
    expect(receipts.every((r) => typeof (r.receipt as { msgid?: unknown }).msgid === 'string')).toBe(true);
  });

  it('store and handle a callback once when WeCom retries it, sends copies to both, and again after a restart', async () => {
    const msgId = '7500000000000000042';
    const [a, b] = servers as [MainProcess, MainProcess];
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push(await deliver(a, msgId));
    statuses.push(...(await Promise.all([deliver(a, msgId), deliver(b, msgId)])));
    a.kill('SIGTERM');
    expect((await a.waitForExit()).code).toBe(0);
    const restarted = await startMain(serverEnv());
    servers[0] = restarted;
    statuses.push(await deliver(restarted, msgId));
    expect(statuses).toEqual([200, 200, 200, 200, 200, 200, 200]);

    const rows = await waitUntil(async () => {
      const found = await db.db.selectFrom('inbox').selectAll().where('dedupe_key', '=', `msg:${msgId}`).execute();
      return found.length === 1 && found[0]!.status === 'done' ? found : undefined;
    }, 15_000, 100);
    expect(rows?.[0]).toMatchObject({ duplicates: 6, attempts: 1, kind: 'message.text' });
  });
});
