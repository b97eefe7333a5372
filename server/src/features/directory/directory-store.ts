import type { Department, Employee, EmployeeQuery } from '../../../contracts/directory';
import type { Page } from '../../../contracts/common';

export interface Tenant {
  readonly id: string;
  readonly name: string;
  readonly platform: 'wecom' | 'dingtalk';
  readonly timeZone: string;
  readonly isDemo: boolean;
}

export interface DirectoryStore {
  findTenant(tenantId: string): Promise<Tenant | undefined>;
  listDepartments(tenantId: string): Promise<Department[]>;
  listEmployees(tenantId: string, query: EmployeeQuery): Promise<Page<Employee>>;
  findEmployee(tenantId: string, employeeId: string): Promise<Employee | undefined>;
}
