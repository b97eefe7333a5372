import { sql } from 'kysely';
import type { OutboxStore } from '../../features/outbox';
import type { Clock } from '../../ports/clock';
import type { Db } from './database';

export function postgresOutboxStore(db: Db, clock: Clock): OutboxStore {
  return {
    async enqueue(message) {
      const row = await db
        .insertInto('outbox')
        .values({
          tenant_id: message.tenantId,
          channel: message.channel,
          recipient: message.recipient,
          payload: JSON.stringify(message.payload),
          idempotency_key: message.idempotencyKey,
          // Due from the injected clock's now (not the database's), like every time the dispatcher compares it with.
          next_attempt_at: message.notBefore ?? clock.now(),
          created_at: clock.now(),
        })
        .onConflict((oc) => oc.column('idempotency_key').doNothing())
        .returning('id')
        .executeTakeFirst();
      if (row) return { id: row.id, inserted: true };
      const existing = await db.selectFrom('outbox').select('id').where('idempotency_key', '=', message.idempotencyKey).executeTakeFirstOrThrow();
      return { id: existing.id, inserted: false };
    },

    async claimDue(limit, now, leaseUntil) {
      // attempts counts deliveries tried; a row whose lease ran out (claimer died mid-send) is due again.
      const result = await sql<{
        id: string;
        seq: string;
        tenant_id: string;
        channel: string;
        recipient: string;
        payload: Record<string, unknown>;
        idempotency_key: string;
        attempts: number;
      }>`
        with pending_due as (
          select id from outbox
           where status = 'pending' and next_attempt_at <= ${now}
           order by next_attempt_at, seq
           limit ${limit}
           for update skip locked
        ), lapsed as (
          -- Claimed by a dispatcher that died mid-send: due again once its lease ran out. Its own partial index keeps
          -- both lookups off a scan of the whole (ever-growing) table.
          select id from outbox
           where status = 'sending' and claimed_until < ${now}
           order by claimed_until
           limit ${limit}
           for update skip locked
        )
        update outbox set status = 'sending', claimed_until = ${leaseUntil}, attempts = attempts + 1
        where id in (select id from pending_due union select id from lapsed)
        returning id, seq, tenant_id, channel, recipient, payload, idempotency_key, attempts`.execute(db);
      // UPDATE … RETURNING does not keep the subquery's order: restore queue order for sending.
      return result.rows.sort((a, b) => Number(a.seq) - Number(b.seq)).map((r) => ({
        id: r.id,
        tenantId: r.tenant_id,
        channel: r.channel,
        recipient: r.recipient,
        payload: r.payload,
        idempotencyKey: r.idempotency_key,
        attempts: r.attempts,
      }));
    },

    async markSent(id, receipt, now) {
      await db
        .updateTable('outbox')
        .set({ status: 'sent', sent_at: now, receipt: JSON.stringify(receipt), claimed_until: null, last_error: null })
        .where('id', '=', id)
        .where('status', '=', 'sending')
        .execute();
    },

    async reschedule(id, at, error, options) {
      await db
        .updateTable('outbox')
        .set((eb) => ({
          status: 'pending',
          next_attempt_at: at,
          claimed_until: null,
          ...(error !== null && { last_error: error }),
          ...(!options.countAttempt && { attempts: eb('attempts', '-', 1) }),
        }))
        .where('id', '=', id)
        .where('status', '=', 'sending')
        .execute();
    },

    async markDead(id, error, now) {
      await db
        .updateTable('outbox')
        .set({ status: 'dead', last_error: error, claimed_until: null, next_attempt_at: now })
        .where('id', '=', id)
        .execute();
    },

    async sentTimes(channel, recipient, since) {
      const rows = await db
        .selectFrom('outbox')
        .select('sent_at')
        .where('channel', '=', channel)
        .where('recipient', '=', recipient)
        .where('status', '=', 'sent')
        .where('sent_at', '>', since)
        .orderBy('sent_at')
        .execute();
      return rows.map((r) => r.sent_at!);
    },
  };
}
