import type { Principal } from './principal';

/**
 * What part of a tenant an employee's HR-side reads and writes cover. Admins: the whole tenant. HR and hiring
 * managers: the jobs of their scoped departments (with sub-departments; without scope rows, their own department),
 * plus jobs they own or manage. HR also sees candidates who have not applied anywhere yet (the unassigned pool).
 * Objects outside the scope answer 404, exactly like ids that do not exist.
 */
export type AccessScope =
  | { readonly all: true }
  | { readonly all: false; readonly employeeId: string; readonly unassignedCandidates: boolean };

export function scopeOf(principal: Principal): AccessScope {
  if (principal.roles.includes('admin')) return { all: true };
  return { all: false, employeeId: principal.employeeId, unassignedCandidates: principal.roles.includes('hr') };
}

/** For internal work (roster sync, workers) that acts for the tenant, not for a person. */
export const tenantScope: AccessScope = { all: true };
