import { randomBytes } from 'node:crypto';
import { AppError, notFound } from '../../domain/errors';
import { actorRef, hrRoles, requireRole, type Principal } from '../../domain/principal';
import { scopeOf } from '../../domain/access-scope';
import { SignInCodeRejected, type CandidateSignInFor, type EmployeeSignInFor, type PlatformEmployee } from '../../ports/sign-in';
import type { FeatureContext, Stores } from '../context';
import { hashToken, newToken, startCandidateSession, startEmployeeSession, type IssuedSession } from '../sessions';

export type { IdentityStore, InvitationRecord } from './identity-store';

/** The platform sign-in exchanges, per tenant (the platform layer builds them; the simulator serves them locally). */
export interface SignInPorts {
  readonly employee: EmployeeSignInFor;
  readonly candidate: CandidateSignInFor;
}

/**
 * Login limits. Code exchanges and invitation tokens are counted per client IP (before we know who it is) and per
 * identity (after): a burst from one address or against one person gets 429 with Retry-After, nobody else does.
 */
export const signInLimits = {
  perIpPerMinute: 30,
  perIdentityPerMinute: 10,
} as const;

const signInFailed = () => new AppError('SIGN_IN_FAILED', '登录失败，请重新打开页面再试。Sign-in failed; reopen the page and try again.');
const invitationInvalid = () =>
  new AppError('UNAUTHENTICATED', '邀请链接无效或已过期，请联系 HR 重新发送。The invitation link is invalid or has expired; ask HR for a new one.');

export async function consumeRateLimit(stores: Stores, now: Date, bucket: string, limit: number, windowSeconds = 60): Promise<void> {
  const windowMs = windowSeconds * 1000;
  const windowStart = new Date(Math.floor(now.getTime() / windowMs) * windowMs);
  const hits = await stores.identity.hitRateLimit(bucket, windowStart);
  if (hits > limit) {
    const retryAfterSeconds = Math.max(1, Math.ceil((windowStart.getTime() + windowMs - now.getTime()) / 1000));
    throw new AppError('RATE_LIMITED', `尝试次数过多，请 ${retryAfterSeconds} 秒后再试。Too many attempts; try again in ${retryAfterSeconds} s.`, [], {
      retryAfterSeconds,
    });
  }
}

function portsOf(ctx: FeatureContext): SignInPorts {
  if (!ctx.signIn) throw signInFailed();
  return ctx.signIn;
}

async function exchange<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof SignInCodeRejected) throw signInFailed();
    throw error;
  }
}

async function employeeSession(
  ctx: FeatureContext,
  tenantId: string,
  person: PlatformEmployee,
  method: 'wecom_miniapp' | 'dingtalk_miniapp' | 'wecom_web' | 'dingtalk_web',
  requestId: string,
): Promise<IssuedSession> {
  const now = ctx.clock.now();
  const employee = await ctx.stores.identity.findEmployeeByPlatformId(tenantId, person);
  if (!employee || employee.status !== 'active') throw signInFailed();
  await consumeRateLimit(ctx.stores, now, `signin:employee:${employee.employeeId}`, signInLimits.perIdentityPerMinute);
  return ctx.transact(async (stores) => {
    const session = await startEmployeeSession(stores, now, { tenantId, employeeId: employee.employeeId, roles: employee.roles }, method);
    await stores.audit.append({ tenantId, actor: `employee:${employee.employeeId}`, action: 'session.sign_in', objectType: 'session', objectId: null, requestId, details: { method } });
    return session;
  });
}

/** An employee inside the WeCom or DingTalk mini-app: `wx.qy.login` / `dd.getAuthCode` code → session. */
export async function signInEmployeeWithCode(
  ctx: FeatureContext,
  input: { platform: 'wecom' | 'dingtalk'; corpId: string; code: string; clientIp: string; requestId: string },
): Promise<IssuedSession> {
  await consumeRateLimit(ctx.stores, ctx.clock.now(), `signin:ip:${input.clientIp}`, signInLimits.perIpPerMinute);
  const tenant = await ctx.stores.identity.findTenantByCorp(input.platform, input.corpId);
  const signIn = tenant && (await portsOf(ctx).employee(tenant.tenantId));
  if (!tenant || !signIn) throw signInFailed();
  const person = await exchange(() => signIn.exchangeMiniAppCode(input.code));
  // The code must have been issued for this company; a code from another corp names nobody here.
  if (person.corpId !== input.corpId) throw signInFailed();
  return employeeSession(ctx, tenant.tenantId, person, input.platform === 'wecom' ? 'wecom_miniapp' : 'dingtalk_miniapp', input.requestId);
}

const safeReturnTo = (value: string | undefined) => (value && /^\/(?!\/)[\w\-./?=&%#]*$/.test(value) ? value : '/');

/** Web login (QR) for the H5 console: where to send the browser. The state is single-use and lives ten minutes. */
export async function startWebSignIn(
  ctx: FeatureContext,
  input: { platform: 'wecom' | 'dingtalk'; corpId: string; returnTo?: string; callbackUrl: string; clientIp: string },
): Promise<{ location: string }> {
  const now = ctx.clock.now();
  await consumeRateLimit(ctx.stores, now, `signin:ip:${input.clientIp}`, signInLimits.perIpPerMinute);
  const tenant = await ctx.stores.identity.findTenantByCorp(input.platform, input.corpId);
  const signIn = tenant && (await portsOf(ctx).employee(tenant.tenantId));
  if (!tenant || !signIn) throw signInFailed();
  const state = randomBytes(24).toString('base64url');
  await ctx.stores.identity.insertWebLoginState({
    stateHash: hashToken(state),
    tenantId: tenant.tenantId,
    returnTo: safeReturnTo(input.returnTo),
    expiresAt: new Date(now.getTime() + 10 * 60_000),
    now,
  });
  return { location: signIn.webLoginUrl({ redirectUri: input.callbackUrl, state }) };
}

/** The platform sends the browser back with a code and our state: a session, and where the console continues. */
export async function finishWebSignIn(
  ctx: FeatureContext,
  input: { state: string; code: string; clientIp: string; requestId: string },
): Promise<IssuedSession & { returnTo: string }> {
  const now = ctx.clock.now();
  await consumeRateLimit(ctx.stores, now, `signin:ip:${input.clientIp}`, signInLimits.perIpPerMinute);
  const state = await ctx.stores.identity.consumeWebLoginState(hashToken(input.state), now);
  if (!state) throw signInFailed();
  const signIn = await portsOf(ctx).employee(state.tenantId);
  if (!signIn) throw signInFailed();
  const person = await exchange(() => signIn.exchangeWebCode(input.code));
  // The person must belong to the company the login was started for.
  const platform = await platformOf(ctx, state.tenantId);
  const tenant = await ctx.stores.identity.findTenantByCorp(platform, person.corpId);
  if (!tenant || tenant.tenantId !== state.tenantId) throw signInFailed();
  const session = await employeeSession(ctx, state.tenantId, person, platform === 'wecom' ? 'wecom_web' : 'dingtalk_web', input.requestId);
  return { ...session, returnTo: state.returnTo };
}

async function platformOf(ctx: FeatureContext, tenantId: string): Promise<'wecom' | 'dingtalk'> {
  const tenant = await ctx.stores.directory.findTenant(tenantId);
  if (!tenant) throw signInFailed();
  return tenant.platform;
}

/**
 * A candidate opens an invitation link: a session limited to that invitation, ending with it at the latest. The token
 * stays valid until it expires or HR sends a new one, so opening the link twice works; a forged, expired or revoked
 * token gets the same answer.
 */
export async function signInWithInvitation(
  ctx: FeatureContext,
  input: { token: string; clientIp: string; requestId: string },
): Promise<IssuedSession> {
  const now = ctx.clock.now();
  await consumeRateLimit(ctx.stores, now, `signin:ip:${input.clientIp}`, signInLimits.perIpPerMinute);
  if (!/^[A-Za-z0-9_-]{43}$/.test(input.token)) throw invitationInvalid();
  const invitation = await ctx.stores.identity.findInvitationByToken(hashToken(input.token));
  if (!invitation || invitation.revokedAt || invitation.expiresAt <= now || invitation.candidateAnonymised) throw invitationInvalid();
  await consumeRateLimit(ctx.stores, now, `signin:candidate:${invitation.candidateId}`, signInLimits.perIdentityPerMinute);
  return ctx.transact(async (stores) => {
    const session = await startCandidateSession(
      stores,
      now,
      { tenantId: invitation.tenantId, candidateId: invitation.candidateId, invitation: { id: invitation.id, expiresAt: invitation.expiresAt } },
      'invitation',
    );
    await stores.audit.append({
      tenantId: invitation.tenantId,
      actor: `candidate:${invitation.candidateId}`,
      action: 'session.sign_in',
      objectType: 'invitation',
      objectId: invitation.id,
      requestId: input.requestId,
      details: { method: 'invitation' },
    });
    return session;
  });
}

/**
 * A candidate in the WeChat mini-program: `wx.login` code → openid. A known openid signs in to its candidate; a new
 * one needs the invitation token it arrived with, which binds the openid to that candidate from then on.
 */
export async function signInCandidateWithCode(
  ctx: FeatureContext,
  input: { appId: string; code: string; invitationToken?: string; clientIp: string; requestId: string },
): Promise<IssuedSession> {
  const now = ctx.clock.now();
  await consumeRateLimit(ctx.stores, now, `signin:ip:${input.clientIp}`, signInLimits.perIpPerMinute);
  const apps = await ctx.stores.identity.findMiniProgramApps(input.appId);
  const invitation = input.invitationToken && /^[A-Za-z0-9_-]{43}$/.test(input.invitationToken)
    ? await ctx.stores.identity.findInvitationByToken(hashToken(input.invitationToken))
    : undefined;
  if (input.invitationToken && (!invitation || invitation.revokedAt || invitation.expiresAt <= now || invitation.candidateAnonymised)) {
    throw invitationInvalid();
  }
  // The tenant: the invitation's, else the only tenant using this mini-program.
  const app = invitation ? apps.find((a) => a.tenantId === invitation.tenantId) : apps.length === 1 ? apps[0] : undefined;
  const signIn = app && (await portsOf(ctx).candidate(app.tenantId));
  if (!app || !signIn) throw signInFailed();
  const person = await exchange(() => signIn.exchangeCode(input.code));
  if (person.appId !== input.appId) throw signInFailed();
  const known = await ctx.stores.identity.findCandidateByOpenId(app.platformAppId, person.openId);
  const candidateId = invitation?.candidateId ?? known?.candidateId;
  if (!candidateId || (known && !invitation && known.anonymised)) throw signInFailed();
  await consumeRateLimit(ctx.stores, now, `signin:candidate:${candidateId}`, signInLimits.perIdentityPerMinute);
  return ctx.transact(async (stores) => {
    if (invitation && known?.candidateId !== invitation.candidateId) {
      await stores.candidateChannels.linkMiniProgramUser(app.tenantId, invitation.candidateId, { appId: app.platformAppId, openid: person.openId, unionid: person.unionId }, now);
    }
    const session = await startCandidateSession(stores, now, { tenantId: app.tenantId, candidateId, invitation: null }, 'wechat_miniapp');
    await stores.audit.append({
      tenantId: app.tenantId,
      actor: `candidate:${candidateId}`,
      action: 'session.sign_in',
      objectType: 'candidate',
      objectId: candidateId,
      requestId: input.requestId,
      details: { method: 'wechat_miniapp', bound: Boolean(invitation && known?.candidateId !== invitation.candidateId) },
    });
    return session;
  });
}

/**
 * HR sends a candidate a link: a fresh 256-bit token (only its hash is kept) for one application, and one interview
 * when there is one. Earlier links of the application stop working. The token is returned once, here.
 */
/** A fresh invitation inside the caller's transaction; the token exists only in the return value. */
export async function newInvitation(
  stores: Stores,
  now: Date,
  input: { tenantId: string; applicationId: string; interviewId: string | null; createdBy: string; validDays?: number },
): Promise<{ invitationId: string; token: string; expiresAt: string } | undefined> {
  const token = newToken();
  const expiresAt = new Date(now.getTime() + (input.validDays ?? 14) * 86_400_000);
  const invitation = await stores.identity.insertInvitation({
    tenantId: input.tenantId,
    applicationId: input.applicationId,
    interviewId: input.interviewId,
    tokenHash: hashToken(token),
    expiresAt,
    createdBy: input.createdBy,
    now,
  });
  return invitation && { invitationId: invitation.id, token, expiresAt: expiresAt.toISOString() };
}

export async function issueInvitation(
  ctx: FeatureContext,
  principal: Principal,
  input: { applicationId: string; interviewId?: string | null; validDays?: number },
): Promise<{ invitationId: string; token: string; expiresAt: string }> {
  requireRole(principal, hrRoles);
  const now = ctx.clock.now();
  return ctx.transact(async (stores) => {
    const application = await stores.applications.findApplication(principal.tenantId, input.applicationId, { scope: scopeOf(principal) });
    if (!application) throw notFound('Application', '申请');
    const issued = await newInvitation(stores, now, {
      tenantId: principal.tenantId,
      applicationId: input.applicationId,
      interviewId: input.interviewId ?? null,
      createdBy: actorRef(principal),
      validDays: input.validDays,
    });
    if (!issued) throw notFound('Application', '申请');
    await stores.audit.append({
      tenantId: principal.tenantId,
      actor: actorRef(principal),
      action: 'invitation.issue',
      objectType: 'invitation',
      objectId: issued.invitationId,
      details: { applicationId: input.applicationId },
    });
    return issued;
  });
}
