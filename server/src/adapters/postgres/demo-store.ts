import { sql } from 'kysely';
import type { DemoStore } from '../../features/demo';
import type { Db } from './database';

// Any constant shared by all instances: the demo seed takes this transaction-level advisory lock.
const demoSeedLock = 0x48420001;

export function postgresDemoStore(db: Db): DemoStore {
  return {
    async lockAndCheckEmpty() {
      await sql`select pg_advisory_xact_lock(${demoSeedLock})`.execute(db);
      const row = await db.selectFrom('tenants').select('id').limit(1).executeTakeFirst();
      return row === undefined;
    },
    async insertTenant(input) {
      const row = await db
        .insertInto('tenants')
        .values({ name: input.name, platform: input.platform, corp_id: input.corpId, time_zone: input.timeZone, is_demo: true })
        .returning('id')
        .executeTakeFirstOrThrow();
      return row.id;
    },
    async insertDepartment(tenantId, input) {
      const row = await db
        .insertInto('departments')
        .values({ tenant_id: tenantId, name: input.name, platform_department_id: input.platformDepartmentId })
        .returning('id')
        .executeTakeFirstOrThrow();
      return row.id;
    },
    async insertEmployee(tenantId, input) {
      const row = await db
        .insertInto('employees')
        .values({
          tenant_id: tenantId,
          name: input.name,
          title: input.title,
          department_id: input.departmentId,
          manager_id: input.managerId,
          platform_user_id: input.platformUserId,
          roles: input.roles,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      return row.id;
    },
    async insertRoom(tenantId, input) {
      const row = await db.insertInto('rooms').values({ tenant_id: tenantId, ...input }).returning('id').executeTakeFirstOrThrow();
      return row.id;
    },
  };
}
