import type { SessionStore } from '../../features/sessions';
import type { Role } from '../../../contracts/directory';
import type { Db } from './database';

export function postgresSessionStore(db: Db): SessionStore {
  return {
    async insertSession({ tokenHash, tenantId, subject, method, expiresAt, idleTimeoutSeconds, now }) {
      await db
        .insertInto('sessions')
        .values({
          token_hash: tokenHash,
          tenant_id: tenantId,
          employee_id: 'employeeId' in subject ? subject.employeeId : null,
          candidate_id: 'candidateId' in subject ? subject.candidateId : null,
          invitation_id: 'candidateId' in subject ? subject.invitationId : null,
          method,
          idle_timeout_seconds: idleTimeoutSeconds,
          expires_at: expiresAt,
          created_at: now,
          last_seen_at: now,
        })
        .execute();
    },
    async findSession(tokenHash) {
      // One indexed lookup with the subject joined in: the session check stays one round trip.
      const row = await db
        .selectFrom('sessions')
        .leftJoin('employees', 'employees.id', 'sessions.employee_id')
        .leftJoin('candidates', 'candidates.id', 'sessions.candidate_id')
        .leftJoin('invitations', 'invitations.id', 'sessions.invitation_id')
        .select([
          'sessions.tenant_id',
          'sessions.employee_id',
          'sessions.candidate_id',
          'sessions.expires_at',
          'sessions.revoked_at',
          'sessions.last_seen_at',
          'sessions.idle_timeout_seconds',
          'employees.roles',
          'employees.status',
          'candidates.anonymised_at',
          'invitations.id as invitation_id',
          'invitations.expires_at as invitation_expires_at',
          'invitations.revoked_at as invitation_revoked_at',
        ])
        .where('sessions.token_hash', '=', tokenHash)
        .executeTakeFirst();
      if (!row) return undefined;
      const common = {
        tenantId: row.tenant_id,
        expiresAt: row.expires_at,
        revokedAt: row.revoked_at,
        lastSeenAt: row.last_seen_at,
        idleTimeoutSeconds: row.idle_timeout_seconds,
      };
      if (row.employee_id) {
        return {
          ...common,
          subject: { kind: 'employee', employeeId: row.employee_id, roles: (row.roles ?? []) as Role[], status: (row.status ?? 'left') as 'active' | 'disabled' | 'left' },
        };
      }
      return {
        ...common,
        subject: {
          kind: 'candidate',
          candidateId: row.candidate_id!,
          anonymised: row.anonymised_at !== null,
          invitation: row.invitation_id
            ? { id: row.invitation_id, expiresAt: row.invitation_expires_at!, revokedAt: row.invitation_revoked_at }
            : null,
        },
      };
    },
    async touchSession(tokenHash, now) {
      await db.updateTable('sessions').set({ last_seen_at: now }).where('token_hash', '=', tokenHash).execute();
    },
    async revokeSession(tokenHash, now) {
      const result = await db
        .updateTable('sessions')
        .set({ revoked_at: now })
        .where('token_hash', '=', tokenHash)
        .where('revoked_at', 'is', null)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) > 0;
    },
    async listDemoEmployees() {
      const rows = await db
        .selectFrom('employees')
        .innerJoin('tenants', 'tenants.id', 'employees.tenant_id')
        .select(['employees.id', 'employees.name', 'employees.title', 'employees.roles', 'tenants.name as tenant_name'])
        .where('tenants.is_demo', '=', true)
        .where('employees.status', '=', 'active')
        .orderBy('tenants.created_at')
        .orderBy('employees.created_at')
        .execute();
      return rows.map((r) => ({ id: r.id, name: r.name, title: r.title, roles: r.roles as Role[], tenantName: r.tenant_name }));
    },
    async findEmployeeTenant(employeeId) {
      const row = await db
        .selectFrom('employees')
        .innerJoin('tenants', 'tenants.id', 'employees.tenant_id')
        .select(['employees.tenant_id', 'tenants.is_demo', 'employees.status', 'employees.roles'])
        .where('employees.id', '=', employeeId)
        .executeTakeFirst();
      return row && { tenantId: row.tenant_id, isDemo: row.is_demo, status: row.status, roles: row.roles as Role[] };
    },
  };
}
