import { createHash, randomBytes } from 'node:crypto';
import { AppError } from '../../domain/errors';
import type { Principal } from '../../domain/principal';
import type { FeatureContext } from '../context';

export type { SessionStore, SessionRecord } from './session-store';

const sessionLifetimeMs = 12 * 60 * 60 * 1000;
const hashToken = (token: string) => createHash('sha256').update(token).digest();
const unauthenticated = () => new AppError('UNAUTHENTICATED', '请先登录。Sign-in required or the session has ended.');

/**
 * Demo sign-in: a session for an employee of a demo tenant, without a platform login. Real sign-in through WeCom
 * and DingTalk arrives with the identity work; this one is refused for non-demo tenants and off in production.
 */
export async function createDemoSession(ctx: FeatureContext, employeeId: string): Promise<{ token: string; expiresAt: string }> {
  const employee = await ctx.stores.sessions.findEmployeeTenant(employeeId);
  if (!employee || !employee.isDemo || employee.status !== 'active') {
    throw new AppError('NOT_FOUND', '找不到该演示员工。Demo employee not found.');
  }
  const token = randomBytes(32).toString('base64url');
  const now = ctx.clock.now();
  const expiresAt = new Date(now.getTime() + sessionLifetimeMs);
  await ctx.stores.sessions.insertSession({ tokenHash: hashToken(token), tenantId: employee.tenantId, employeeId, expiresAt, now });
  return { token, expiresAt: expiresAt.toISOString() };
}

export async function listDemoEmployees(ctx: FeatureContext) {
  return ctx.stores.sessions.listDemoEmployees();
}

/** Resolves a bearer token to its principal, or UNAUTHENTICATED without saying which part was wrong. */
export async function authenticate(ctx: FeatureContext, token: string): Promise<Principal> {
  if (token.length < 20 || token.length > 200) throw unauthenticated();
  const tokenHash = hashToken(token);
  const session = await ctx.stores.sessions.findSession(tokenHash);
  const now = ctx.clock.now();
  if (!session || session.revokedAt || session.expiresAt <= now || session.employeeStatus !== 'active') throw unauthenticated();
  // Idle tracking at one-minute resolution: a write per request would double the cost of every read route.
  if (now.getTime() - session.lastSeenAt.getTime() > 60_000) await ctx.stores.sessions.touchSession(tokenHash, now);
  return { kind: 'employee', tenantId: session.tenantId, employeeId: session.employeeId, roles: session.roles };
}
