import { decrypt, encrypt, getSignature } from '@wecom/crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectDatabase } from '../../server/src/adapters/postgres/database';
import { postgresStores, postgresTransact } from '../../server/src/adapters/postgres/stores';
import { createLogger } from '../../server/src/observability/logger';
import { fixedClock } from '../../server/src/ports/clock';
import { createTestApp, type TestApp } from '../support/app';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { createTenant } from '../support/fixtures';

const appKey = 'dingcallbackapp01';
const corpId = 'dingcorpcallback01';
const token = 'dtCallbackToken';
const aesKey = 'jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C';
const now = new Date('2026-11-22T08:00:00Z');
const nowMs = String(now.getTime());
const secretsEnv = { HB_DT_SECRET: 's', HB_DT_TOKEN: token, HB_DT_AES: aesKey };

let db: TestDatabase;
let api: TestApp;
let appId: string;

/** What DingTalk sends: `{encrypt}` and the signed query, timestamp in milliseconds. */
function push(event: Record<string, unknown>, options: { timestamp?: string; receiveId?: string; tamper?: boolean } = {}) {
  const timestamp = options.timestamp ?? nowMs;
  const nonce = Math.random().toString(36).slice(2, 10);
  const cipher = encrypt(aesKey, JSON.stringify(event), options.receiveId ?? appKey);
  const signature = getSignature(token, timestamp, nonce, options.tamper ? `${cipher}x` : cipher);
  return { path: `/callbacks/dingtalk/${appId}?signature=${signature}&timestamp=${timestamp}&nonce=${nonce}`, body: JSON.stringify({ encrypt: cipher }) };
}

const post = (request: { path: string; body: string }, target: TestApp = api) =>
  target.http.post(request.path).set('content-type', 'application/json').send(request.body);

const inboxCount = async () => Number((await db.db.selectFrom('inbox').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);

/** Checks the reply the way DingTalk does: signature over its own timeStamp/nonce, then "success" inside. */
function expectSealedSuccess(body: Record<string, string>) {
  expect(Object.keys(body).sort()).toEqual(['encrypt', 'msg_signature', 'nonce', 'timeStamp']);
  expect(body.msg_signature).toBe(getSignature(token, body.timeStamp!, body.nonce!, body.encrypt!));
  expect(body.timeStamp).toBe(nowMs);
  expect(decrypt(aesKey, body.encrypt!)).toMatchObject({ message: 'success', id: appKey });
}

beforeAll(async () => {
  db = await createTestDatabase();
  const tenant = await createTenant(db.db, { platform: 'dingtalk' });
  const app = await db.features().stores.platform.insertApp(tenant.tenantId, {
    kind: 'dingtalk_app',
    corpId,
    agentId: appKey,
    secretRef: 'env:HB_DT_SECRET',
    callbackTokenRef: 'env:HB_DT_TOKEN',
    encodingAesKeyRef: 'env:HB_DT_AES',
    apiBaseUrl: 'http://127.0.0.1:9',
  });
  appId = app.id;
  api = createTestApp(db, { clock: fixedClock(now), secretsEnv });
});

afterAll(async () => {
  await db.drop();
});

describe('DingTalk HTTP event push', () => {
  it('answers the check_url push with the encrypted success and stores nothing', async () => {
    const before = await inboxCount();
    const answer = await post(push({ EventType: 'check_url' })).expect(200);
    expectSealedSuccess(answer.body as Record<string, string>);
    expect(await inboxCount()).toBe(before);
  });

  it('stores an event once however often DingTalk pushes it, then answers success', async () => {
    const before = await inboxCount();
    const event = { EventType: 'user_add_org', CorpId: corpId, UserId: ['manager7675'], TimeStamp: nowMs };
    for (let i = 0; i < 3; i++) expectSealedSuccess((await post(push(event)).expect(200)).body as Record<string, string>);
    expect(await inboxCount()).toBe(before + 1);
    const row = await db.db.selectFrom('inbox').selectAll().where('kind', '=', 'event.user_add_org').executeTakeFirstOrThrow();
    expect(row).toMatchObject({ app_id: appId, duplicates: 2, status: 'pending' });
    expect(row.payload).toMatchObject({ UserId: ['manager7675'] });
    // The same event type with other content is another event.
    await post(push({ ...event, UserId: ['hr0001'] })).expect(200);
    expect(await inboxCount()).toBe(before + 2);
  });

  it('refuses forged, stale, foreign and malformed pushes before any write', async () => {
    const before = await inboxCount();
    const event = { EventType: 'user_modify_org', UserId: ['x'] };
    const attempts = [
      push(event, { tamper: true }),
      push(event, { timestamp: String(now.getTime() - 301_000) }),
      // Seconds instead of milliseconds: 1970, far outside the window.
      push(event, { timestamp: String(Math.floor(now.getTime() / 1000)) }),
      // Encrypted for the corp instead of the app: the receive id must be the AppKey.
      push(event, { receiveId: corpId }),
    ];
    for (const attempt of attempts) {
      const answer = await post(attempt);
      expect(answer.status).toBe(403);
      expect(answer.body.code).toBe('CALLBACK_REJECTED');
      expect(JSON.stringify(answer.body)).not.toContain('encrypt');
    }
    const good = push(event);
    expect((await post({ path: good.path, body: 'not json' })).status).toBe(403);
    expect((await post({ path: good.path, body: '{"encrypt":42}' })).status).toBe(403);
    expect((await post({ path: `/callbacks/dingtalk/00000000-0000-4000-8000-000000000000${good.path.slice(good.path.indexOf('?'))}`, body: good.body })).status).toBe(404);
    expect(await inboxCount()).toBe(before);
  });

  it('does not answer success when the event cannot be stored, so DingTalk pushes again', async () => {
    const unreachable = connectDatabase({ url: 'postgres://nobody:x@127.0.0.1:1/none', poolMax: 1, log: createLogger({ level: 'silent' }) });
    try {
      // The app row is read from the real database; only the inbox write goes to the unreachable one.
      const real = db.features(fixedClock(now));
      const down = postgresStores(unreachable.db);
      const features = { stores: { ...down, platform: real.stores.platform }, transact: postgresTransact(unreachable.db), clock: fixedClock(now) };
      const broken = createTestApp(db, { features, secretsEnv });
      const answer = await post(push({ EventType: 'user_leave_org', UserId: ['y'] }), broken);
      expect(answer.status).toBe(503);
      expect(answer.body.code).toBe('DATABASE_UNAVAILABLE');
      expect(JSON.stringify(answer.body)).not.toContain('encrypt');
    } finally {
      await unreachable.close();
    }
  });
});
