import type { Role } from '../../contracts/directory';
import { AppError } from './errors';

/** A signed-in employee: always within exactly one tenant. */
export interface Principal {
  readonly kind: 'employee';
  readonly tenantId: string;
  readonly employeeId: string;
  readonly roles: readonly Role[];
}

/**
 * A signed-in candidate (personal WeChat or an invitation link). A session made from an invitation token is limited
 * to that one invitation (`invitationId`); one made by the mini-program login sees all of the candidate's own things.
 */
export interface CandidatePrincipal {
  readonly kind: 'candidate';
  readonly tenantId: string;
  readonly candidateId: string;
  readonly invitationId: string | null;
}

export type AnyPrincipal = Principal | CandidatePrincipal;

export const hrRoles: readonly Role[] = ['admin', 'hr'];
export const hiringRoles: readonly Role[] = ['admin', 'hr', 'hiring_manager'];

export function requireRole(principal: Principal, allowed: readonly Role[]): void {
  if (!principal.roles.some((role) => allowed.includes(role))) {
    throw new AppError('FORBIDDEN', '你没有执行此操作的权限。You are not allowed to do this.');
  }
}

export const isAdmin = (principal: Principal) => principal.roles.includes('admin');

export const actorRef = (principal: AnyPrincipal) =>
  principal.kind === 'employee' ? `employee:${principal.employeeId}` : `candidate:${principal.candidateId}`;
