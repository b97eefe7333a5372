import type { Department, Employee, EmployeeQuery } from '../../../contracts/directory';
import type { Page } from '../../../contracts/common';
import { notFound } from '../../domain/errors';
import { hiringRoles, requireRole, type Principal } from '../../domain/principal';
import type { FeatureContext } from '../context';
import type { Tenant } from './directory-store';

export type { DirectoryStore, Tenant } from './directory-store';

export async function getMe(ctx: FeatureContext, principal: Principal): Promise<{ employee: Employee; tenant: Tenant }> {
  const [employee, tenant] = await Promise.all([
    ctx.stores.directory.findEmployee(principal.tenantId, principal.employeeId),
    ctx.stores.directory.findTenant(principal.tenantId),
  ]);
  if (!employee || !tenant) throw notFound('Employee', '员工');
  return { employee, tenant };
}

export async function listDepartments(ctx: FeatureContext, principal: Principal): Promise<Department[]> {
  requireRole(principal, hiringRoles);
  return ctx.stores.directory.listDepartments(principal.tenantId);
}

export async function listEmployees(ctx: FeatureContext, principal: Principal, query: EmployeeQuery): Promise<Page<Employee>> {
  requireRole(principal, hiringRoles);
  return ctx.stores.directory.listEmployees(principal.tenantId, query);
}
