import { systemClock, type Clock } from '../../ports/clock';
import { sql } from 'kysely';
import type { InboxStore } from '../../features/inbox';
import type { PlatformStore } from '../../features/platform';
import type { Db } from './database';

export function postgresPlatformStore(db: Db): PlatformStore {
  const select = () =>
    db.selectFrom('platform_apps').innerJoin('tenants', 'tenants.id', 'platform_apps.tenant_id').selectAll('platform_apps').select('tenants.is_demo');
  type Row = Awaited<ReturnType<ReturnType<typeof select>['executeTakeFirstOrThrow']>>;
  const toApp = (row: Row) => ({
    id: row.id,
    tenantId: row.tenant_id,
    kind: row.kind,
    corpId: row.corp_id,
    agentId: row.agent_id,
    numericAgentId: row.numeric_agent_id,
    secretRef: row.secret_ref,
    callbackTokenRef: row.callback_token_ref,
    encodingAesKeyRef: row.encoding_aes_key_ref,
    apiBaseUrl: row.api_base_url,
    tenantIsDemo: row.is_demo,
    cardTemplateId: row.card_template_id,
  });
  const store: PlatformStore = {
    async findAppOfKind(tenantId, kind) {
      const row = await select().where('platform_apps.tenant_id', '=', tenantId).where('platform_apps.kind', '=', kind).executeTakeFirst();
      return row && toApp(row);
    },
    async findApp(appId) {
      const row = await select().where('platform_apps.id', '=', appId).executeTakeFirst();
      return row && toApp(row);
    },
    async insertApp(tenantId, app) {
      const { id } = await db
        .insertInto('platform_apps')
        .values({
          tenant_id: tenantId,
          kind: app.kind,
          corp_id: app.corpId,
          agent_id: app.agentId,
          numeric_agent_id: app.numericAgentId ?? null,
          secret_ref: app.secretRef,
          callback_token_ref: app.callbackTokenRef,
          encoding_aes_key_ref: app.encodingAesKeyRef,
          api_base_url: app.apiBaseUrl,
          card_template_id: app.cardTemplateId ?? null,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      const created = await store.findApp(id);
      if (!created) throw new Error('inserted platform app not found');
      return created;
    },
  };
  return store;
}

export function postgresInboxStore(db: Db, clock: Clock = systemClock): InboxStore {
  return {
    async accept(event) {
      // xmax = 0 only on a freshly inserted row: tells a first delivery from a retry in one round trip.
      const row = await db
        .insertInto('inbox')
        .values({
          tenant_id: event.tenantId,
          app_id: event.appId,
          dedupe_key: event.dedupeKey,
          kind: event.kind,
          payload: JSON.stringify(event.payload),
          // Due from the injected clock's now, the time the worker compares it with.
          next_attempt_at: clock.now(),
          received_at: clock.now(),
        })
        .onConflict((oc) => oc.columns(['app_id', 'dedupe_key']).doUpdateSet((eb) => ({ duplicates: eb('inbox.duplicates', '+', 1) })))
        .returning((eb) => eb(eb.ref('xmax' as never), '=', '0' as never).as('inserted'))
        .executeTakeFirstOrThrow();
      return { inserted: Boolean(row.inserted) };
    },

    async claimDue(limit, now, leaseUntil) {
      const result = await sql<{
        id: string;
        tenant_id: string;
        app_id: string;
        dedupe_key: string;
        kind: string;
        payload: Record<string, unknown>;
        attempts: number;
        received_at: Date;
      }>`
        with pending_due as (
          select id from inbox
           where status = 'pending' and next_attempt_at <= ${now}
           order by next_attempt_at, id
           limit ${limit}
           for update skip locked
        ), lapsed as (
          -- Claimed by a worker that died: due again once its lease ran out (own partial index, no table scan).
          select id from inbox
           where status = 'processing' and claimed_until < ${now}
           order by claimed_until
           limit ${limit}
           for update skip locked
        )
        update inbox set status = 'processing', claimed_until = ${leaseUntil}, attempts = attempts + 1
        where id in (select id from pending_due union select id from lapsed)
        returning id, tenant_id, app_id, dedupe_key, kind, payload, attempts, received_at`.execute(db);
      return result.rows
        .sort((a, b) => Number(a.id) - Number(b.id))
        .map((r) => ({
          id: r.id,
          tenantId: r.tenant_id,
          appId: r.app_id,
          dedupeKey: r.dedupe_key,
          kind: r.kind,
          payload: r.payload,
          attempts: r.attempts,
          receivedAt: r.received_at,
        }));
    },

    async markDone(id, attempt, now, note) {
      const result = await db
        .updateTable('inbox')
        .set({ status: 'done', processed_at: now, claimed_until: null, last_error: note ?? null })
        .where('id', '=', id)
        .where('status', '=', 'processing')
        .where('attempts', '=', attempt)
        .executeTakeFirst();
      return result.numUpdatedRows > 0n;
    },

    async reschedule(id, at, error) {
      await db.updateTable('inbox').set({ status: 'pending', next_attempt_at: at, claimed_until: null, last_error: error }).where('id', '=', id).execute();
    },

    async markDead(id, error) {
      await db.updateTable('inbox').set({ status: 'dead', claimed_until: null, last_error: error }).where('id', '=', id).execute();
    },
  };
}
