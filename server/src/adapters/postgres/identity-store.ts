import { sql } from 'kysely';
import type { Role } from '../../../contracts/directory';
import type { IdentityStore, InvitationRecord } from '../../features/identity';
import type { Db } from './database';

export function postgresIdentityStore(db: Db): IdentityStore {
  const invitationBase = () =>
    db
      .selectFrom('invitations as i')
      .innerJoin('candidates as c', 'c.id', 'i.candidate_id')
      .select(['i.id', 'i.tenant_id', 'i.application_id', 'i.candidate_id', 'i.interview_id', 'i.expires_at', 'i.revoked_at', 'c.anonymised_at']);
  const toInvitation = (row: {
    id: string; tenant_id: string; application_id: string; candidate_id: string; interview_id: string | null;
    expires_at: Date; revoked_at: Date | null; anonymised_at: Date | null;
  }): InvitationRecord => ({
    id: row.id,
    tenantId: row.tenant_id,
    applicationId: row.application_id,
    candidateId: row.candidate_id,
    interviewId: row.interview_id,
    expiresAt: row.expires_at,
    revokedAt: row.revoked_at,
    candidateAnonymised: row.anonymised_at !== null,
  });

  return {
    async findTenantByCorp(platform, corpId) {
      const row = await db.selectFrom('tenants').select('id').where('platform', '=', platform).where('corp_id', '=', corpId).executeTakeFirst();
      return row && { tenantId: row.id };
    },
    async findEmployeeByPlatformId(tenantId, id) {
      let q = db.selectFrom('employees').select(['id', 'roles', 'status']).where('tenant_id', '=', tenantId);
      if (id.userId) q = q.where('platform_user_id', '=', id.userId);
      else if (id.unionId) q = q.where('platform_union_id', '=', id.unionId);
      else return undefined;
      const row = await q.executeTakeFirst();
      return row && { employeeId: row.id, roles: row.roles as Role[], status: row.status as 'active' | 'disabled' | 'left' };
    },
    async insertWebLoginState({ stateHash, tenantId, returnTo, expiresAt, now }) {
      await db.insertInto('web_login_states').values({ state_hash: stateHash, tenant_id: tenantId, return_to: returnTo, expires_at: expiresAt, created_at: now }).execute();
    },
    async consumeWebLoginState(stateHash, now) {
      const row = await db
        .updateTable('web_login_states')
        .set({ used_at: now })
        .where('state_hash', '=', stateHash)
        .where('used_at', 'is', null)
        .where('expires_at', '>', now)
        .returning(['tenant_id', 'return_to'])
        .executeTakeFirst();
      return row && { tenantId: row.tenant_id, returnTo: row.return_to };
    },
    async insertInvitation({ tenantId, applicationId, interviewId, tokenHash, expiresAt, createdBy, now }) {
      const application = await db
        .selectFrom('applications')
        .select(['candidate_id'])
        .where('tenant_id', '=', tenantId)
        .where('id', '=', applicationId)
        .executeTakeFirst();
      if (!application) return undefined;
      await db
        .updateTable('invitations')
        .set({ revoked_at: now })
        .where('tenant_id', '=', tenantId)
        .where('application_id', '=', applicationId)
        .where('revoked_at', 'is', null)
        .execute();
      const inserted = await db
        .insertInto('invitations')
        .values({
          tenant_id: tenantId,
          application_id: applicationId,
          candidate_id: application.candidate_id,
          interview_id: interviewId,
          token_hash: tokenHash,
          expires_at: expiresAt,
          created_by: createdBy,
          created_at: now,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      const row = await invitationBase().where('i.id', '=', inserted.id).executeTakeFirstOrThrow();
      return toInvitation(row);
    },
    async findInvitationByToken(tokenHash) {
      const row = await invitationBase().where('i.token_hash', '=', tokenHash).executeTakeFirst();
      return row && toInvitation(row);
    },
    async findMiniProgramApps(appId) {
      const rows = await db
        .selectFrom('platform_apps')
        .select(['id', 'tenant_id'])
        .where('kind', '=', 'wechat_miniprogram')
        .where('corp_id', '=', appId)
        .execute();
      return rows.map((r) => ({ tenantId: r.tenant_id, platformAppId: r.id }));
    },
    async findCandidateByOpenId(platformAppId, openId) {
      const row = await db
        .selectFrom('candidate_channels as ch')
        .innerJoin('candidates as c', 'c.id', 'ch.candidate_id')
        .select(['ch.tenant_id', 'ch.candidate_id', 'c.anonymised_at'])
        .where('ch.mp_app_id', '=', platformAppId)
        .where('ch.mp_openid', '=', openId)
        .executeTakeFirst();
      return row && { tenantId: row.tenant_id, candidateId: row.candidate_id, anonymised: row.anonymised_at !== null };
    },
    async hitRateLimit(bucket, windowStart) {
      const row = await db
        .insertInto('rate_limit_hits')
        .values({ bucket, window_start: windowStart })
        .onConflict((oc) => oc.columns(['bucket', 'window_start']).doUpdateSet({ hits: sql`rate_limit_hits.hits + 1` }))
        .returning('hits')
        .executeTakeFirstOrThrow();
      // Now and then, forget windows that ended long ago (cheap: primary-key range, unlogged table).
      if (row.hits === 1 && Math.random() < 0.01) {
        await db.deleteFrom('rate_limit_hits').where('window_start', '<', new Date(windowStart.getTime() - 3_600_000)).execute();
      }
      return row.hits;
    },
  };
}
