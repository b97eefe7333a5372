import { candidateAad } from './candidate-store';
import type { FieldCipher } from '../../domain/field-cipher';
import { sql } from 'kysely';
import type { CandidateChannelStore, CandidateChannelState } from '../../features/candidate-channels';
import { kfRepliesPerCustomerMessage, kfReplyWindowMs } from '../../features/candidate-channels';
import type { CandidateDelivery } from '../../ports/candidate-messenger';
import type { Db } from './database';

export function postgresCandidateChannelStore(db: Db, cipher: FieldCipher): CandidateChannelStore {
  /** Creates the candidate's row on first contact; the foreign key refuses a candidate of another tenant. */
  const ensureRow = (tenantId: string, candidateId: string, now: Date) =>
    db
      .insertInto('candidate_channels')
      .values({ tenant_id: tenantId, candidate_id: candidateId, updated_at: now })
      .onConflict((oc) => oc.column('candidate_id').doNothing())
      .execute();

  const own = (tenantId: string, candidateId: string) =>
    db.updateTable('candidate_channels').where('tenant_id', '=', tenantId).where('candidate_id', '=', candidateId);

  return {
    async find(tenantId, candidateId): Promise<CandidateChannelState | undefined> {
      const row = await db.selectFrom('candidate_channels').selectAll().where('tenant_id', '=', tenantId).where('candidate_id', '=', candidateId).executeTakeFirst();
      if (!row) return undefined;
      const balances = await db.selectFrom('candidate_subscription_balances').select(['template_id', 'balance']).where('candidate_id', '=', candidateId).execute();
      return {
        tenantId: row.tenant_id,
        candidateId: row.candidate_id,
        kf:
          row.kf_app_id && row.kf_open_kfid && row.kf_external_userid
            ? {
                appId: row.kf_app_id,
                openKfId: row.kf_open_kfid,
                externalUserId: row.kf_external_userid,
                lastCustomerMessageAt: row.kf_last_customer_message_at,
                sentSinceCustomerMessage: row.kf_sent_since_customer_message,
              }
            : null,
        miniProgram: row.mp_app_id && row.mp_openid ? { appId: row.mp_app_id, openid: row.mp_openid, unionid: row.mp_unionid } : null,
        subscriptions: Object.fromEntries(balances.map((b) => [b.template_id, b.balance])),
      };
    },

    async candidateContact(tenantId, candidateId) {
      const row = await db
        .selectFrom('candidates')
        .select(['id', 'name', 'phone_enc'])
        .where('tenant_id', '=', tenantId)
        .where('id', '=', candidateId)
        .executeTakeFirst();
      if (!row) return undefined;
      // Decrypted only for the owning HR's call task, which goes to that HR alone (1:1), never to a group.
      return { name: row.name, phone: row.phone_enc ? cipher.decrypt(row.phone_enc, candidateAad(tenantId, row.id, 'phone')) : null };
    },

    async findOwningHr(tenantId, interviewId) {
      const row = await db
        .selectFrom('interviews as i')
        .innerJoin('applications as a', 'a.id', 'i.application_id')
        .innerJoin('jobs as j', 'j.id', 'a.job_id')
        .innerJoin('employees as e', (join) => join.on(sql<boolean>`e.id = coalesce(i.owner_hr_id, j.owner_hr_id)`))
        .select(['e.id as employeeId', 'e.platform_user_id as platformUserId', 'e.name as name'])
        .where('i.tenant_id', '=', tenantId)
        .where('i.id', '=', interviewId)
        .where('e.status', '=', 'active')
        .executeTakeFirst();
      return row;
    },

    async insertKfInvitation(invitation) {
      await db
        .insertInto('kf_invitations')
        .values({
          id: invitation.id,
          tenant_id: invitation.tenantId,
          candidate_id: invitation.candidateId,
          kf_app_id: invitation.kfAppId,
          open_kfid: invitation.openKfId,
          url: invitation.url,
        })
        .execute();
    },

    async findKfInvitation(id) {
      return db
        .selectFrom('kf_invitations')
        .select(['id', 'tenant_id as tenantId', 'candidate_id as candidateId', 'kf_app_id as kfAppId', 'open_kfid as openKfId'])
        .where('id', '=', id)
        .executeTakeFirst();
    },

    async linkKfContact(tenantId, candidateId, link, now, invitationId) {
      await ensureRow(tenantId, candidateId, now);
      // Another candidate holding this WeChat user (a shared phone, a second invitation) gives it up: the link the
      // person opened last names who they are talking as.
      await db
        .updateTable('candidate_channels')
        .set({ kf_app_id: null, kf_open_kfid: null, kf_external_userid: null, kf_last_customer_message_at: null, kf_sent_since_customer_message: 0, updated_at: now })
        .where('kf_app_id', '=', link.appId)
        .where('kf_external_userid', '=', link.externalUserId)
        .where('candidate_id', '<>', candidateId)
        .execute();
      await own(tenantId, candidateId)
        .set((eb) => ({
          kf_app_id: link.appId,
          kf_open_kfid: link.openKfId,
          // A new external user starts with no window; the same one keeps theirs.
          kf_last_customer_message_at: sql<Date | null>`case when kf_external_userid = ${link.externalUserId} then kf_last_customer_message_at end`,
          kf_sent_since_customer_message: sql<number>`case when kf_external_userid = ${link.externalUserId} then kf_sent_since_customer_message else 0 end`,
          kf_external_userid: eb.val(link.externalUserId),
          updated_at: now,
        }))
        .execute();
      if (invitationId) await db.updateTable('kf_invitations').set({ entered_at: now }).where('id', '=', invitationId).where('entered_at', 'is', null).execute();
    },

    async recordKfCustomerMessage(appId, externalUserId, at) {
      // Each msgid reaches here once (kf_processed_messages), so a message as late as the last one (send_time has
      // whole seconds) is a new one and resets the count; an older one, synced out of order, changes nothing.
      const row = await db
        .updateTable('candidate_channels')
        .set({
          kf_last_customer_message_at: sql<Date>`greatest(kf_last_customer_message_at, ${at}::timestamptz)`,
          kf_sent_since_customer_message: sql<number>`case when kf_last_customer_message_at is null or kf_last_customer_message_at <= ${at}::timestamptz then 0 else kf_sent_since_customer_message end`,
          updated_at: at,
        })
        .where('kf_app_id', '=', appId)
        .where('kf_external_userid', '=', externalUserId)
        .returning(['tenant_id as tenantId', 'candidate_id as candidateId'])
        .executeTakeFirst();
      return row;
    },

    async reserveKfReply(tenantId, candidateId, now) {
      const opensAfter = new Date(now.getTime() - kfReplyWindowMs);
      const row = await own(tenantId, candidateId)
        .set((eb) => ({ kf_sent_since_customer_message: eb('kf_sent_since_customer_message', '+', 1), updated_at: now }))
        .where('kf_external_userid', 'is not', null)
        .where('kf_last_customer_message_at', '>', opensAfter)
        .where('kf_sent_since_customer_message', '<', kfRepliesPerCustomerMessage)
        .returning(['kf_app_id', 'kf_open_kfid', 'kf_external_userid'])
        .executeTakeFirst();
      if (row?.kf_app_id && row.kf_open_kfid && row.kf_external_userid) {
        return { ok: true, link: { appId: row.kf_app_id, openKfId: row.kf_open_kfid, externalUserId: row.kf_external_userid } };
      }
      const state = await db
        .selectFrom('candidate_channels')
        .select(['kf_external_userid', 'kf_last_customer_message_at'])
        .where('tenant_id', '=', tenantId)
        .where('candidate_id', '=', candidateId)
        .executeTakeFirst();
      if (!state?.kf_external_userid) return { ok: false, reason: 'no_kf_contact' };
      if (!state.kf_last_customer_message_at || state.kf_last_customer_message_at <= opensAfter) return { ok: false, reason: 'window_expired' };
      return { ok: false, reason: 'reply_limit' };
    },

    async releaseKfReply(tenantId, candidateId) {
      await own(tenantId, candidateId)
        .set({ kf_sent_since_customer_message: sql<number>`greatest(kf_sent_since_customer_message - 1, 0)` })
        .execute();
    },

    async closeKfWindow(tenantId, candidateId) {
      await own(tenantId, candidateId).set({ kf_sent_since_customer_message: kfRepliesPerCustomerMessage }).execute();
    },

    async lockKfCursor(appId, openKfId) {
      await db.insertInto('kf_sync_cursors').values({ kf_app_id: appId, open_kfid: openKfId }).onConflict((oc) => oc.columns(['kf_app_id', 'open_kfid']).doNothing()).execute();
      const row = await db
        .selectFrom('kf_sync_cursors')
        .select('cursor')
        .where('kf_app_id', '=', appId)
        .where('open_kfid', '=', openKfId)
        .forUpdate()
        .executeTakeFirstOrThrow();
      return row.cursor;
    },

    async saveKfCursor(appId, openKfId, cursor, now) {
      await db.updateTable('kf_sync_cursors').set({ cursor, updated_at: now }).where('kf_app_id', '=', appId).where('open_kfid', '=', openKfId).execute();
    },

    async markKfMessageProcessed(appId, msgid, now) {
      const result = await db
        .insertInto('kf_processed_messages')
        .values({ kf_app_id: appId, msgid, processed_at: now })
        .onConflict((oc) => oc.columns(['kf_app_id', 'msgid']).doNothing())
        .executeTakeFirst();
      return Number(result.numInsertedOrUpdatedRows ?? 0n) > 0;
    },

    async linkMiniProgramUser(tenantId, candidateId, user, now) {
      await ensureRow(tenantId, candidateId, now);
      await own(tenantId, candidateId).set({ mp_app_id: user.appId, mp_openid: user.openid, mp_unionid: user.unionid, updated_at: now }).execute();
    },

    async addSubscriptionAcceptances(tenantId, candidateId, templateIds, now) {
      const counts = new Map<string, number>();
      for (const id of templateIds) counts.set(id, (counts.get(id) ?? 0) + 1);
      await ensureRow(tenantId, candidateId, now);
      for (const [templateId, count] of counts) {
        await db
          .insertInto('candidate_subscription_balances')
          .values({ candidate_id: candidateId, template_id: templateId, balance: count, updated_at: now })
          .onConflict((oc) =>
            oc.columns(['candidate_id', 'template_id']).doUpdateSet((eb) => ({ balance: eb('candidate_subscription_balances.balance', '+', count), updated_at: now })),
          )
          .execute();
      }
    },

    async reserveSubscription(tenantId, candidateId, templateId, now) {
      const owner = await db
        .selectFrom('candidate_channels')
        .select(['mp_app_id', 'mp_openid'])
        .where('tenant_id', '=', tenantId)
        .where('candidate_id', '=', candidateId)
        .executeTakeFirst();
      if (!owner?.mp_app_id || !owner.mp_openid) return { ok: false, reason: 'no_openid' };
      const taken = await db
        .updateTable('candidate_subscription_balances')
        .set((eb) => ({ balance: eb('balance', '-', 1), updated_at: now }))
        .where('candidate_id', '=', candidateId)
        .where('template_id', '=', templateId)
        .where('balance', '>', 0)
        .executeTakeFirst();
      if (taken.numUpdatedRows === 0n) return { ok: false, reason: 'no_balance' };
      return { ok: true, appId: owner.mp_app_id, openid: owner.mp_openid };
    },

    async releaseSubscription(tenantId, candidateId, templateId) {
      await db
        .updateTable('candidate_subscription_balances')
        .set((eb) => ({ balance: eb('balance', '+', 1) }))
        .where('candidate_id', '=', candidateId)
        .where('template_id', '=', templateId)
        .where('candidate_id', 'in', db.selectFrom('candidate_channels').select('candidate_id').where('tenant_id', '=', tenantId))
        .execute();
    },

    async zeroSubscription(tenantId, candidateId, templateId) {
      await db
        .updateTable('candidate_subscription_balances')
        .set({ balance: 0 })
        .where('candidate_id', '=', candidateId)
        .where('template_id', '=', templateId)
        .where('candidate_id', 'in', db.selectFrom('candidate_channels').select('candidate_id').where('tenant_id', '=', tenantId))
        .execute();
    },

    async findDelivery(tenantId, idempotencyKey) {
      const row = await db
        .selectFrom('candidate_deliveries')
        .select(['outcome', 'channel', 'attempts', 'receipt'])
        .where('tenant_id', '=', tenantId)
        .where('idempotency_key', '=', idempotencyKey)
        .executeTakeFirst();
      if (!row) return undefined;
      const receipt = (row.receipt ?? {}) as Record<string, unknown>;
      const attempts = row.attempts as CandidateDelivery['attempts'];
      if (row.outcome === 'sent' && (row.channel === 'kf' || row.channel === 'subscription')) return { outcome: 'sent', channel: row.channel, attempts, receipt };
      if (row.outcome === 'hr_call_task') {
        return { outcome: 'hr_call_task', channel: 'hr_call_task', attempts, hrEmployeeId: String(receipt.hrEmployeeId), outboxId: String(receipt.outboxId) };
      }
      return { outcome: 'undeliverable', channel: null, attempts };
    },

    async recordDelivery(tenantId, candidateId, idempotencyKey, messageKind, delivery, now) {
      const receipt =
        delivery.outcome === 'sent' ? delivery.receipt : delivery.outcome === 'hr_call_task' ? { hrEmployeeId: delivery.hrEmployeeId, outboxId: delivery.outboxId } : null;
      await db
        .insertInto('candidate_deliveries')
        .values({
          tenant_id: tenantId,
          candidate_id: candidateId,
          idempotency_key: idempotencyKey,
          message_kind: messageKind,
          channel: delivery.channel,
          outcome: delivery.outcome,
          attempts: JSON.stringify(delivery.attempts),
          receipt: receipt === null ? null : JSON.stringify(receipt),
          created_at: now,
        })
        .onConflict((oc) => oc.columns(['tenant_id', 'idempotency_key']).doNothing())
        .execute();
    },
  };
}
