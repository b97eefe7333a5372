import type { SessionStore } from '../../features/sessions';
import type { Role } from '../../../contracts/directory';
import type { Db } from './database';

export function postgresSessionStore(db: Db): SessionStore {
  return {
    async insertSession({ tokenHash, tenantId, employeeId, expiresAt, now }) {
      await db
        .insertInto('sessions')
        .values({ token_hash: tokenHash, tenant_id: tenantId, employee_id: employeeId, expires_at: expiresAt, created_at: now, last_seen_at: now })
        .execute();
    },
    async findSession(tokenHash) {
      const row = await db
        .selectFrom('sessions')
        .innerJoin('employees', 'employees.id', 'sessions.employee_id')
        .select([
          'sessions.tenant_id',
          'sessions.employee_id',
          'sessions.expires_at',
          'sessions.revoked_at',
          'sessions.last_seen_at',
          'employees.roles',
          'employees.status',
        ])
        .where('sessions.token_hash', '=', tokenHash)
        .executeTakeFirst();
      return (
        row && {
          tenantId: row.tenant_id,
          employeeId: row.employee_id,
          roles: row.roles as Role[],
          employeeStatus: row.status,
          expiresAt: row.expires_at,
          revokedAt: row.revoked_at,
          lastSeenAt: row.last_seen_at,
        }
      );
    },
    async touchSession(tokenHash, now) {
      await db.updateTable('sessions').set({ last_seen_at: now }).where('token_hash', '=', tokenHash).execute();
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
        .select(['employees.tenant_id', 'tenants.is_demo', 'employees.status'])
        .where('employees.id', '=', employeeId)
        .executeTakeFirst();
      return row && { tenantId: row.tenant_id, isDemo: row.is_demo, status: row.status };
    },
  };
}
