import { createHash, randomBytes } from 'node:crypto';
import { AppError } from '../../domain/errors';
import type { AnyPrincipal } from '../../domain/principal';
import { candidateSessionPolicy, employeeSessionPolicy } from '../../domain/session-policy';
import type { Role } from '../../../contracts/directory';
import type { FeatureContext, Stores } from '../context';
import type { SessionMethod } from './session-store';

export type { SessionStore, SessionRecord, SessionMethod, SessionSubject, NewSession } from './session-store';

/** 256-bit opaque tokens; only their SHA-256 is stored. */
export const newToken = () => randomBytes(32).toString('base64url');
export const hashToken = (token: string) => createHash('sha256').update(token).digest();
const unauthenticated = () => new AppError('UNAUTHENTICATED', '请先登录。Sign-in required or the session has ended.');

export interface IssuedSession {
  readonly token: string;
  readonly expiresAt: string;
  readonly idleTimeoutSeconds: number;
}

/** Makes an employee session with the idle and absolute limits of their roles. */
export async function startEmployeeSession(
  stores: Stores,
  now: Date,
  employee: { tenantId: string; employeeId: string; roles: readonly Role[] },
  method: SessionMethod,
): Promise<IssuedSession> {
  const policy = employeeSessionPolicy(employee.roles);
  const token = newToken();
  const expiresAt = new Date(now.getTime() + policy.absoluteSeconds * 1000);
  await stores.sessions.insertSession({
    tokenHash: hashToken(token),
    tenantId: employee.tenantId,
    subject: { employeeId: employee.employeeId },
    method,
    expiresAt,
    idleTimeoutSeconds: policy.idleSeconds,
    now,
  });
  return { token, expiresAt: expiresAt.toISOString(), idleTimeoutSeconds: policy.idleSeconds };
}

/** Makes a candidate session; one from an invitation ends with the invitation at the latest. */
export async function startCandidateSession(
  stores: Stores,
  now: Date,
  candidate: { tenantId: string; candidateId: string; invitation: { id: string; expiresAt: Date } | null },
  method: SessionMethod,
): Promise<IssuedSession> {
  const token = newToken();
  const absolute = now.getTime() + candidateSessionPolicy.absoluteSeconds * 1000;
  const expiresAt = new Date(candidate.invitation ? Math.min(absolute, candidate.invitation.expiresAt.getTime()) : absolute);
  await stores.sessions.insertSession({
    tokenHash: hashToken(token),
    tenantId: candidate.tenantId,
    subject: { candidateId: candidate.candidateId, invitationId: candidate.invitation?.id ?? null },
    method,
    expiresAt,
    idleTimeoutSeconds: candidateSessionPolicy.idleSeconds,
    now,
  });
  return { token, expiresAt: expiresAt.toISOString(), idleTimeoutSeconds: candidateSessionPolicy.idleSeconds };
}

/**
 * Demo sign-in: a session for an employee of a demo tenant, without a platform login. Refused for non-demo tenants;
 * the route is not mounted in production.
 */
export async function createDemoSession(ctx: FeatureContext, employeeId: string): Promise<{ token: string; expiresAt: string }> {
  const employee = await ctx.stores.sessions.findEmployeeTenant(employeeId);
  if (!employee || !employee.isDemo || employee.status !== 'active') {
    throw new AppError('NOT_FOUND', '找不到该演示员工。Demo employee not found.');
  }
  const session = await startEmployeeSession(ctx.stores, ctx.clock.now(), { tenantId: employee.tenantId, employeeId, roles: employee.roles }, 'demo');
  return { token: session.token, expiresAt: session.expiresAt };
}

export async function listDemoEmployees(ctx: FeatureContext) {
  return ctx.stores.sessions.listDemoEmployees();
}

/**
 * Resolves a bearer token to its principal, or UNAUTHENTICATED without saying which part was wrong: unknown,
 * expired, idle too long, signed out, employee disabled or gone, invitation revoked or expired, data anonymised.
 */
export async function authenticate(ctx: FeatureContext, token: string): Promise<AnyPrincipal> {
  if (token.length < 20 || token.length > 200) throw unauthenticated();
  const tokenHash = hashToken(token);
  const session = await ctx.stores.sessions.findSession(tokenHash);
  const now = ctx.clock.now();
  if (!session || session.revokedAt || session.expiresAt <= now) throw unauthenticated();
  if (now.getTime() - session.lastSeenAt.getTime() > session.idleTimeoutSeconds * 1000) throw unauthenticated();
  const subject = session.subject;
  if (subject.kind === 'employee' && subject.status !== 'active') throw unauthenticated();
  if (subject.kind === 'candidate') {
    if (subject.anonymised) throw unauthenticated();
    if (subject.invitation && (subject.invitation.revokedAt || subject.invitation.expiresAt <= now)) throw unauthenticated();
  }
  // Idle tracking at one-minute resolution: a write per request would double the cost of every read route.
  if (now.getTime() - session.lastSeenAt.getTime() > 60_000) await ctx.stores.sessions.touchSession(tokenHash, now);
  return subject.kind === 'employee'
    ? { kind: 'employee', tenantId: session.tenantId, employeeId: subject.employeeId, roles: subject.roles }
    : { kind: 'candidate', tenantId: session.tenantId, candidateId: subject.candidateId, invitationId: subject.invitation?.id ?? null };
}

/** Ends the session of this token. Signing out twice is fine (the second does nothing). */
export async function signOut(ctx: FeatureContext, token: string): Promise<void> {
  await ctx.stores.sessions.revokeSession(hashToken(token), ctx.clock.now());
}
