import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { acceptInboundEvent, processDueEvents, type InboxHandlers } from '../../server/src/features/inbox';
import { fixedClock } from '../../server/src/ports/clock';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { createTenant, type TenantFixture } from '../support/fixtures';

let db: TestDatabase;
let tenant: TenantFixture;
let appId: string;
const clock = fixedClock('2026-11-22T08:00:00Z');

/** The effect under test: an audit event per handled inbound event, written with the handler's transaction. */
const auditing: InboxHandlers = {
  'event.test': async (event, ctx) => {
    await ctx.stores.audit.append({ tenantId: event.tenantId, actor: 'system:inbox', action: 'handled', objectType: 'inbox', objectId: event.dedupeKey });
    if (event.payload.fail === 'always' || (event.payload.fail === 'once' && event.attempts === 1)) throw new Error('handler failed');
  },
};

const effects = async (key: string) =>
  Number((await db.db.selectFrom('audit_events').select((eb) => eb.fn.countAll().as('n')).where('object_id', '=', key).executeTakeFirstOrThrow()).n);
const accept = (key: string, payload: Record<string, unknown> = {}, kind = 'event.test') =>
  acceptInboundEvent(db.features(clock), { tenantId: tenant.tenantId, appId, dedupeKey: key, kind, payload });
const row = (key: string) => db.db.selectFrom('inbox').selectAll().where('dedupe_key', '=', key).executeTakeFirstOrThrow();

beforeAll(async () => {
  db = await createTestDatabase();
  tenant = await createTenant(db.db);
  appId = (
    await db.features().stores.platform.insertApp(tenant.tenantId, {
      kind: 'wecom_app', corpId: 'wwinbox', agentId: '1', secretRef: 'env:X', callbackTokenRef: null, encodingAesKeyRef: null, apiBaseUrl: 'http://127.0.0.1:9',
    })
  ).id;
});
afterAll(async () => {
  await db.drop();
});
beforeEach(() => clock.advance(3_600_000));

describe('inbox processing', () => {
  it('has exactly one effect per event, however often the platform delivered it', async () => {
    for (let i = 0; i < 4; i++) await accept('replayed');
    await Promise.all([accept('replayed'), accept('replayed')]);
    await Promise.all([processDueEvents(db.features(clock), auditing), processDueEvents(db.features(clock), auditing)]);
    await processDueEvents(db.features(clock), auditing);
    expect(await effects('replayed')).toBe(1);
    expect(await row('replayed')).toMatchObject({ status: 'done', duplicates: 5, attempts: 1 });
  });

  it('rolls a failed handler’s effect back and retries it later', async () => {
    await accept('flaky', { fail: 'once' });
    expect(await processDueEvents(db.features(clock), auditing)).toMatchObject({ retried: 1 });
    expect(await effects('flaky')).toBe(0);
    expect(await row('flaky')).toMatchObject({ status: 'pending', last_error: 'handler failed' });
    expect(await processDueEvents(db.features(clock), auditing)).toMatchObject({ claimed: 0 });
    clock.advance(60_000);
    expect(await processDueEvents(db.features(clock), auditing)).toMatchObject({ handled: 1 });
    expect(await effects('flaky')).toBe(1);
  });

  it('gives up after the last attempt and keeps the event for inspection', async () => {
    await accept('hopeless', { fail: 'always' });
    for (let i = 0; i < 3; i++) {
      await processDueEvents(db.features(clock), auditing, { maxAttempts: 3 });
      clock.advance(3_600_000);
    }
    expect(await row('hopeless')).toMatchObject({ status: 'dead', attempts: 3 });
    expect(await effects('hopeless')).toBe(0);
  });

  it('marks events nobody handles as done, with a note', async () => {
    await accept('unknown-kind', {}, 'event.enter_agent');
    expect(await processDueEvents(db.features(clock), auditing)).toMatchObject({ ignored: 1 });
    expect(await row('unknown-kind')).toMatchObject({ status: 'done', last_error: 'no handler for event.enter_agent' });
  });

  it('takes an event back from a worker that died holding it', async () => {
    await accept('orphaned');
    await db.features(clock).stores.inbox.claimDue(10, clock.now(), new Date(clock.now().getTime() + 120_000));
    expect(await processDueEvents(db.features(clock), auditing)).toMatchObject({ claimed: 0 });
    clock.advance(121_000);
    expect(await processDueEvents(db.features(clock), auditing)).toMatchObject({ handled: 1 });
    expect(await row('orphaned')).toMatchObject({ status: 'done', attempts: 2 });
    expect(await effects('orphaned')).toBe(1);
  });

  it('does not let a worker whose lease ran out finish an event another worker has claimed since', async () => {
    await accept('overtaken');
    const [stale] = await db.features(clock).stores.inbox.claimDue(10, clock.now(), new Date(clock.now().getTime() + 1_000));
    clock.advance(2_000);
    const [fresh] = await db.features(clock).stores.inbox.claimDue(10, clock.now(), new Date(clock.now().getTime() + 120_000));
    expect(fresh!.attempts).toBe(2);
    expect(await db.features(clock).stores.inbox.markDone(stale!.id, stale!.attempts, clock.now())).toBe(false);
    expect(await db.features(clock).stores.inbox.markDone(fresh!.id, fresh!.attempts, clock.now())).toBe(true);
  });
});
