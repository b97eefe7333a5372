import { z } from 'zod';
import { Id, PageQuery, page } from './common';

export const Role = z.enum(['admin', 'hr', 'hiring_manager', 'interviewer']);
export type Role = z.infer<typeof Role>;

export const Department = z.object({ id: Id, name: z.string(), parentId: Id.nullable() }).meta({ id: 'Department' });
export type Department = z.infer<typeof Department>;

export const Employee = z
  .object({
    id: Id,
    name: z.string(),
    title: z.string().nullable(),
    departmentId: Id.nullable(),
    managerId: Id.nullable(),
    roles: z.array(Role),
    status: z.enum(['active', 'disabled', 'left']),
  })
  .meta({ id: 'Employee' });
export type Employee = z.infer<typeof Employee>;

export const EmployeeQuery = PageQuery.extend({
  role: Role.optional(),
  departmentId: Id.optional(),
  q: z.string().trim().min(1).max(50).optional().describe('Name contains'),
});
export type EmployeeQuery = z.infer<typeof EmployeeQuery>;

export const DepartmentList = z.object({ items: z.array(Department) });
export const EmployeePage = page(Employee);

export const Me = z
  .object({
    employee: Employee,
    tenant: z.object({ id: Id, name: z.string(), platform: z.enum(['wecom', 'dingtalk']), timeZone: z.string(), isDemo: z.boolean() }),
  })
  .meta({ id: 'Me' });

export const DevSessionRequest = z.object({ employeeId: Id });
export const DevSession = z.object({ token: z.string(), expiresAt: z.string() });
export const DemoEmployees = z.object({
  items: z.array(z.object({ id: Id, name: z.string(), title: z.string().nullable(), roles: z.array(Role), tenantName: z.string() })),
});
