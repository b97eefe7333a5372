import type { Role } from '../../../contracts/directory';

/** Writes the parts of the demo that have no use case of their own yet (the roster arrives by sync in real use). */
export interface DemoStore {
  /** True when the database holds no tenant at all. Takes a transaction-level lock so two starters cannot both seed. */
  lockAndCheckEmpty(): Promise<boolean>;
  insertTenant(input: { name: string; platform: 'wecom' | 'dingtalk'; corpId: string; timeZone: string }): Promise<string>;
  insertDepartment(tenantId: string, input: { name: string; platformDepartmentId: string }): Promise<string>;
  insertEmployee(
    tenantId: string,
    input: { name: string; title: string; departmentId: string; managerId: string | null; platformUserId: string; roles: Role[] },
  ): Promise<string>;
  insertRoom(tenantId: string, input: { name: string; site: string; address: string; capacity: number }): Promise<string>;
}
