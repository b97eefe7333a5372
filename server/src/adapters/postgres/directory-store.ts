import type { Employee } from '../../../contracts/directory';
import type { DirectoryStore } from '../../features/directory';
import type { Db } from './database';
import { beforeCursor, decodeCursor, escapeLike, toPage } from './pagination';
import type { EmployeeTable } from './schema';
import { sql, type Selectable } from 'kysely';

export const toEmployee = (row: Selectable<EmployeeTable>): Employee => ({
  id: row.id,
  name: row.name,
  title: row.title,
  departmentId: row.department_id,
  managerId: row.manager_id,
  roles: row.roles as Employee['roles'],
  status: row.status,
});

export function postgresDirectoryStore(db: Db): DirectoryStore {
  return {
    async findTenant(tenantId) {
      const row = await db.selectFrom('tenants').selectAll().where('id', '=', tenantId).executeTakeFirst();
      return row && { id: row.id, name: row.name, platform: row.platform, timeZone: row.time_zone, isDemo: row.is_demo };
    },
    async listDepartments(tenantId) {
      const rows = await db.selectFrom('departments').selectAll().where('tenant_id', '=', tenantId).orderBy('name').execute();
      return rows.map((r) => ({ id: r.id, name: r.name, parentId: r.parent_id }));
    },
    async listEmployees(tenantId, query) {
      const cursor = decodeCursor(query.cursor);
      let q = db.selectFrom('employees').selectAll().where('tenant_id', '=', tenantId);
      // One array parameter: kysely would expand a JS array into a value list.
      if (query.role) q = q.where('roles', '@>', sql<string[]>`${sql.val([query.role])}::text[]`);
      if (query.departmentId) q = q.where('department_id', '=', query.departmentId);
      if (query.q) q = q.where('name', 'like', `%${escapeLike(query.q)}%`);
      if (cursor) q = q.where(beforeCursor('employees', cursor));
      const rows = await q.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(query.limit + 1).execute();
      return toPage(rows, query.limit, toEmployee);
    },
    async findEmployee(tenantId, employeeId) {
      const row = await db.selectFrom('employees').selectAll().where('tenant_id', '=', tenantId).where('id', '=', employeeId).executeTakeFirst();
      return row && toEmployee(row);
    },
  };
}
