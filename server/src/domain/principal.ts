import type { Role } from '../../contracts/directory';
import { AppError } from './errors';

/** Who is acting: always within exactly one tenant. */
export interface Principal {
  readonly kind: 'employee';
  readonly tenantId: string;
  readonly employeeId: string;
  readonly roles: readonly Role[];
}

export const hrRoles: readonly Role[] = ['admin', 'hr'];
export const hiringRoles: readonly Role[] = ['admin', 'hr', 'hiring_manager'];

export function requireRole(principal: Principal, allowed: readonly Role[]): void {
  if (!principal.roles.some((role) => allowed.includes(role))) {
    throw new AppError('FORBIDDEN', '你没有执行此操作的权限。You are not allowed to do this.');
  }
}

export const actorRef = (principal: Principal) => `employee:${principal.employeeId}`;
