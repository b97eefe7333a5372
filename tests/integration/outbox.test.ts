import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { dispatchDueMessages, enqueueMessage } from '../../server/src/features/outbox';
import { fixedClock } from '../../server/src/ports/clock';
import { SendFailedError, type OutboundMessage, type OutboundSender } from '../../server/src/ports/outbound-sender';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { createTenant, type TenantFixture } from '../support/fixtures';

let db: TestDatabase;
let tenant: TenantFixture;
const clock = fixedClock('2026-11-22T08:00:00Z');

/** Records what it was asked to send; can be told to fail. */
function recordingSender(behaviour: (m: OutboundMessage) => void = () => undefined): OutboundSender & { sent: OutboundMessage[] } {
  const sent: OutboundMessage[] = [];
  return {
    sent,
    async send(message) {
      behaviour(message);
      sent.push(message);
      return { receipt: { msgid: `m-${message.id}` } };
    },
  };
}

const enqueue = (key: string, recipient = 'liuyang', channel = 'wecom_app') =>
  enqueueMessage(db.features(clock).stores, {
    tenantId: tenant.tenantId,
    channel,
    recipient,
    payload: { msgtype: 'text', text: { content: `提醒 ${key}` } },
    idempotencyKey: key,
  });

const statusOf = async (key: string) =>
  db.db.selectFrom('outbox').selectAll().where('idempotency_key', '=', key).executeTakeFirstOrThrow();

beforeAll(async () => {
  db = await createTestDatabase();
  tenant = await createTenant(db.db);
});
afterAll(async () => {
  await db.drop();
});
beforeEach(async () => {
  await db.db.deleteFrom('outbox').execute();
  clock.set('2026-11-22T08:00:00Z');
});

describe('outbox', () => {
  it('exists only with the change that caused it: a rolled-back transaction leaves no message', async () => {
    await expect(
      db.features(clock).transact(async (stores) => {
        await enqueueMessage(stores, { tenantId: tenant.tenantId, channel: 'wecom_app', recipient: 'a', payload: {}, idempotencyKey: 'rolled-back' });
        throw new Error('the change failed');
      }),
    ).rejects.toThrow('the change failed');
    expect(await db.db.selectFrom('outbox').selectAll().execute()).toEqual([]);
  });

  it('keeps one row per idempotency key', async () => {
    const first = await enqueue('reminder:1');
    const again = await enqueue('reminder:1');
    expect(first.inserted).toBe(true);
    expect(again).toEqual({ id: first.id, inserted: false });
  });

  it('sends what is due, records the receipt, and leaves what is not due yet', async () => {
    await enqueue('due');
    await enqueueMessage(db.features(clock).stores, {
      tenantId: tenant.tenantId, channel: 'wecom_app', recipient: 'x', payload: {}, idempotencyKey: 'later', notBefore: new Date('2026-11-22T09:00:00Z'),
    });
    const sender = recordingSender();
    const result = await dispatchDueMessages(db.features(clock), { wecom_app: sender });
    expect(result).toMatchObject({ claimed: 1, sent: 1 });
    expect(await statusOf('due')).toMatchObject({ status: 'sent', attempts: 1, receipt: { msgid: expect.any(String) } });
    expect((await statusOf('later')).status).toBe('pending');
  });

  it('never sends a row twice when several dispatchers run at once', async () => {
    for (let i = 0; i < 200; i++) await enqueue(`bulk:${i}`, `user${i % 40}`);
    const sender = recordingSender();
    const contexts = [db.features(clock), db.features(clock), db.features(clock)];
    for (let round = 0; round < 10; round++) {
      await Promise.all(contexts.map((ctx) => dispatchDueMessages(ctx, { wecom_app: sender }, { batchSize: 20 })));
    }
    const ids = sender.sent.map((m) => m.idempotencyKey);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.length).toBe(200);
  });

  it('retries a retryable failure with backoff, gives up after the last attempt, and dead-letters a refusal at once', async () => {
    await enqueue('flaky');
    await enqueue('refused', 'nobody');
    const sender = recordingSender((m) => {
      if (m.recipient === 'nobody') throw new SendFailedError('all recipients invalid', false, '81013');
      throw new SendFailedError('system busy', true, '-1');
    });
    await dispatchDueMessages(db.features(clock), { wecom_app: sender }, { maxAttempts: 3 });
    expect(await statusOf('refused')).toMatchObject({ status: 'dead', last_error: '81013: all recipients invalid' });
    const afterFirst = await statusOf('flaky');
    expect(afterFirst).toMatchObject({ status: 'pending', attempts: 1, last_error: '-1: system busy' });
    const delay = afterFirst.next_attempt_at.getTime() - clock.now().getTime();
    expect(delay).toBeGreaterThanOrEqual(24_000);
    expect(delay).toBeLessThanOrEqual(36_000);

    await dispatchDueMessages(db.features(clock), { wecom_app: sender }, { maxAttempts: 3 });
    expect((await statusOf('flaky')).attempts).toBe(1); // not due yet
    for (let i = 0; i < 2; i++) {
      clock.advance(10 * 60_000);
      await dispatchDueMessages(db.features(clock), { wecom_app: sender }, { maxAttempts: 3 });
    }
    expect(await statusOf('flaky')).toMatchObject({ status: 'dead', attempts: 3 });
  });

  it('paces one member under WeCom’s silent 30-a-minute cap: 25 go now, the rest when the minute frees', async () => {
    for (let i = 0; i < 30; i++) await enqueue(`burst:${i}`, 'zhoumin');
    await enqueue('other-member', 'liuyang');
    const sender = recordingSender();
    const first = await dispatchDueMessages(db.features(clock), { wecom_app: sender }, { batchSize: 100 });
    expect(first).toMatchObject({ sent: 26, deferred: 5 });
    expect(sender.sent.filter((m) => m.recipient === 'zhoumin')).toHaveLength(25);
    const deferred = await db.db.selectFrom('outbox').selectAll().where('status', '=', 'pending').execute();
    expect(deferred.every((r) => r.attempts === 0 && r.next_attempt_at.getTime() === clock.now().getTime() + 60_000)).toBe(true);

    clock.advance(30_000);
    expect((await dispatchDueMessages(db.features(clock), { wecom_app: sender })).sent).toBe(0);
    clock.advance(30_001);
    expect((await dispatchDueMessages(db.features(clock), { wecom_app: sender })).sent).toBe(5);
  });

  it('takes a row back from a dispatcher that died mid-send once its lease runs out', async () => {
    await enqueue('orphan');
    const claimed = await db.features(clock).stores.outbox.claimDue(10, clock.now(), new Date(clock.now().getTime() + 60_000));
    expect(claimed).toHaveLength(1);
    const sender = recordingSender();
    clock.advance(30_000);
    expect((await dispatchDueMessages(db.features(clock), { wecom_app: sender })).claimed).toBe(0);
    clock.advance(31_000);
    const retry = await dispatchDueMessages(db.features(clock), { wecom_app: sender });
    expect(retry).toMatchObject({ claimed: 1, sent: 1 });
    expect(await statusOf('orphan')).toMatchObject({ status: 'sent', attempts: 2 });
  });

  it('dead-letters a message for a channel nothing can send', async () => {
    await enqueue('fax', 'x', 'fax_machine');
    expect((await dispatchDueMessages(db.features(clock), {})).dead).toBe(1);
    expect((await statusOf('fax')).last_error).toMatch(/no sender/);
  });
});
