import { encrypt, getSignature } from '@wecom/crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectDatabase } from '../../server/src/adapters/postgres/database';
import { postgresStores, postgresTransact } from '../../server/src/adapters/postgres/stores';
import { createLogger } from '../../server/src/observability/logger';
import { fixedClock } from '../../server/src/ports/clock';
import { createTestApp, type TestApp } from '../support/app';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { createTenant, type TenantFixture } from '../support/fixtures';

const corpId = 'ww7a1b2c3d4e5f6789';
const agentId = '1000002';
const token = 'hbCallbackToken';
const aesKey = 'jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C';
const now = new Date('2026-11-22T08:00:00Z');
const nowSeconds = String(Math.floor(now.getTime() / 1000));

let db: TestDatabase;
let api: TestApp;
let tenant: TenantFixture;
let appId: string;

/** What WeCom sends: the encrypted envelope and the signed query string. */
function wecomPost(innerXml: string, options: { timestamp?: string; corp?: string; tamper?: boolean; key?: string } = {}) {
  const timestamp = options.timestamp ?? nowSeconds;
  const nonce = String(Math.floor(Math.random() * 1e9));
  const cipher = encrypt(options.key ?? aesKey, innerXml, options.corp ?? corpId);
  const signature = getSignature(token, timestamp, nonce, options.tamper ? `${cipher}x` : cipher);
  const body = `<xml><ToUserName><![CDATA[${corpId}]]></ToUserName><AgentID><![CDATA[${agentId}]]></AgentID><Encrypt><![CDATA[${cipher}]]></Encrypt></xml>`;
  return { path: `/callbacks/wecom/${appId}?msg_signature=${signature}&timestamp=${timestamp}&nonce=${nonce}`, body };
}

const textMessage = (msgId: string, content = '你好') =>
  `<xml><ToUserName><![CDATA[${corpId}]]></ToUserName><FromUserName><![CDATA[zhoumin]]></FromUserName><CreateTime>${nowSeconds}</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[${content}]]></Content><MsgId>${msgId}</MsgId><AgentID>${agentId}</AgentID></xml>`;

const inboxCount = async () => Number((await db.db.selectFrom('inbox').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);

beforeAll(async () => {
  db = await createTestDatabase();
  tenant = await createTenant(db.db);
  const app = await db.features().stores.platform.insertApp(tenant.tenantId, {
    kind: 'wecom_app',
    corpId,
    agentId,
    secretRef: 'env:HB_TEST_WECOM_SECRET',
    callbackTokenRef: 'env:HB_TEST_WECOM_TOKEN',
    encodingAesKeyRef: 'env:HB_TEST_WECOM_AES_KEY',
    apiBaseUrl: 'http://127.0.0.1:9',
  });
  appId = app.id;
  api = createTestApp(db, {
    clock: fixedClock(now),
    secretsEnv: { HB_TEST_WECOM_SECRET: 's', HB_TEST_WECOM_TOKEN: token, HB_TEST_WECOM_AES_KEY: aesKey },
  });
});

afterAll(async () => {
  await db.drop();
});

const post = (request: { path: string; body: string }) => api.http.post(request.path).set('content-type', 'text/xml').send(request.body);

describe('WeCom app callback URL check', () => {
  it('answers the bare decrypted echostr, keeping a literal "+"', async () => {
    const echo = '1616140317555161061';
    const echostr = encrypt(aesKey, echo, corpId);
    const signature = getSignature(token, nowSeconds, '42', echostr);
    // WeCom's echostr is base64; sent with '+' percent-encoded or not, it must decode to the same text.
    for (const sent of [encodeURIComponent(echostr), echostr]) {
      const answer = await api.http.get(`/callbacks/wecom/${appId}?msg_signature=${signature}&timestamp=${nowSeconds}&nonce=42&echostr=${sent}`).expect(200);
      expect(answer.text).toBe(echo);
      expect(answer.headers['content-type']).toMatch(/^text\/plain/);
    }
    const forged = await api.http.get(`/callbacks/wecom/${appId}?msg_signature=${'0'.repeat(40)}&timestamp=${nowSeconds}&nonce=42&echostr=${encodeURIComponent(echostr)}`);
    expect(forged.status).toBe(403);
    expect(forged.text).not.toContain(echo);
  });
});

describe('WeCom app callback POST', () => {
  it('stores a message once however often it is retried or replayed, and answers 200 with an empty body', async () => {
    const before = await inboxCount();
    const request = wecomPost(textMessage('7400000000000000001'));
    const first = await post(request).expect(200);
    expect(first.text).toBe('');
    // WeCom's 3 retries, and two concurrent copies.
    for (let i = 0; i < 3; i++) await post(request).expect(200);
    await Promise.all([post(request).expect(200), post(request).expect(200)]);
    // A retry is signed afresh (new nonce) but carries the same MsgId.
    await post(wecomPost(textMessage('7400000000000000001'))).expect(200);
    expect(await inboxCount()).toBe(before + 1);
    const row = await db.db.selectFrom('inbox').selectAll().where('dedupe_key', '=', 'msg:7400000000000000001').executeTakeFirstOrThrow();
    expect(row).toMatchObject({ kind: 'message.text', status: 'pending', duplicates: 6, tenant_id: tenant.tenantId });
    expect(row.payload).toMatchObject({ Content: '你好', FromUserName: 'zhoumin' });
  });

  it('keys card clicks by task, button and clicker, and keeps distinct events apart', async () => {
    const click = (user: string, key: string) =>
      `<xml><ToUserName>${corpId}</ToUserName><FromUserName>${user}</FromUserName><CreateTime>${nowSeconds}</CreateTime><MsgType>event</MsgType><Event>template_card_event</Event><EventKey>${key}</EventKey><TaskId>task-1</TaskId><CardType>button_interaction</CardType><ResponseCode>rc</ResponseCode><AgentID>${agentId}</AgentID></xml>`;
    const change = (user: string, at: string) =>
      `<xml><ToUserName>${corpId}</ToUserName><FromUserName>sys</FromUserName><CreateTime>${at}</CreateTime><MsgType>event</MsgType><Event>change_contact</Event><ChangeType>update_user</ChangeType><UserID>${user}</UserID></xml>`;
    const before = await inboxCount();
    await post(wecomPost(click('liuyang', 'confirm'))).expect(200);
    await post(wecomPost(click('liuyang', 'confirm'))).expect(200);
    await post(wecomPost(click('zhaochen', 'confirm'))).expect(200);
    await post(wecomPost(click('liuyang', 'decline'))).expect(200);
    await post(wecomPost(change('liuyang', nowSeconds))).expect(200);
    await post(wecomPost(change('liuyang', nowSeconds))).expect(200);
    await post(wecomPost(change('zhaochen', nowSeconds))).expect(200);
    await post(wecomPost(change('liuyang', String(Number(nowSeconds) + 1)))).expect(200);
    expect(await inboxCount()).toBe(before + 6);
    const kinds = await db.db.selectFrom('inbox').select('kind').where('kind', 'like', 'event.%').execute();
    expect(new Set(kinds.map((k) => k.kind))).toEqual(new Set(['event.template_card_event', 'event.change_contact']));
  });

  it('refuses forged, stale, foreign, hostile and oversized callbacks before any write', async () => {
    const before = await inboxCount();
    const attempts = [
      wecomPost(textMessage('1'), { tamper: true }),
      wecomPost(textMessage('2'), { timestamp: String(Number(nowSeconds) - 301) }),
      wecomPost(textMessage('3'), { timestamp: String(Number(nowSeconds) + 301) }),
      wecomPost(textMessage('4'), { corp: 'ww-someone-else' }),
      wecomPost(textMessage('5'), { key: 'a'.repeat(43) }),
      wecomPost(`<!DOCTYPE x [<!ENTITY a "b">]><xml><MsgType>text</MsgType><MsgId>6</MsgId></xml>`),
    ];
    for (const attempt of attempts) {
      const answer = await post(attempt);
      expect(answer.status).toBe(403);
      expect(answer.body.code).toBe('CALLBACK_REJECTED');
    }
    const laughs = `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">]><xml><Encrypt>&lol;</Encrypt></xml>`;
    expect((await api.http.post(wecomPost(textMessage('7')).path).set('content-type', 'text/xml').send(laughs)).status).toBe(403);
    const huge = wecomPost(textMessage('8'));
    const oversize = await api.http.post(huge.path).set('content-type', 'text/xml').send(huge.body + ' '.repeat(70_000));
    expect(oversize.status).toBe(413);
    expect(await inboxCount()).toBe(before);
  });

  it('answers 404 for unknown apps and non-200 when the event cannot be stored', async () => {
    await api.http.post('/callbacks/wecom/00000000-0000-4000-8000-000000000000').send('<xml/>').expect(404);
    await api.http.get('/callbacks/wecom/not-an-id').expect(404);

    const unreachable = connectDatabase({ url: 'postgres://nobody:x@127.0.0.1:1/none', poolMax: 1, log: createLogger({ level: 'silent' }) });
    try {
      const down = createTestApp(db, {
        features: { stores: postgresStores(unreachable.db), transact: postgresTransact(unreachable.db), clock: fixedClock(now) },
        secretsEnv: { HB_TEST_WECOM_TOKEN: token, HB_TEST_WECOM_AES_KEY: aesKey },
      });
      const answer = await down.http.post(wecomPost(textMessage('9')).path).set('content-type', 'text/xml').send(wecomPost(textMessage('9')).body);
      expect(answer.status).toBe(503);
      expect(answer.body.code).toBe('DATABASE_UNAVAILABLE');
    } finally {
      await unreachable.close();
    }
  });
});
