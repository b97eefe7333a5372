import { randomBytes } from 'node:crypto';
import type { Context } from 'koa';
import { Router } from '@koa/router';
import { WecomApiError, errcodes, errmsgFor } from './errors';
import type { WecomState } from './state';

/**
 * WeCom sign-in codes and the two endpoints that take them, as https://qyapi.weixin.qq.com answers them:
 * - `GET /cgi-bin/miniprogram/jscode2session?access_token&js_code&grant_type=authorization_code` → `{corpid, userid,
 *   session_key}` for a `wx.qy.login()` code (https://developer.work.weixin.qq.com/document/path/96959 , 92423);
 * - `GET /cgi-bin/auth/getuserinfo?access_token&code` → `{userid}` for a member, `{openid}` for anyone else, for a code
 *   from the web login page (https://developer.work.weixin.qq.com/document/path/98177 , 96442).
 * A code is single use, lives 5 minutes on the simulator clock, and belongs to the corp and app it was issued for
 * and to its kind (a web code is not a mini-program code). Every failure of the code itself — unknown, expired,
 * used, of another corp or app, of the other kind — is 40029 "invalid code", as WeCom answers (platform.md §2).
 */
export const loginCodeLifetimeMs = 5 * 60_000;

/** 40029 invalid code; 41008 missing code (global error codes, https://developer.work.weixin.qq.com/document/path/90313). */
export const signInErrcodes = { invalidCode: 40029, codeMissing: 41008 } as const;

export type WecomLoginKind = 'miniapp' | 'web';

export interface WecomLoginCodeInput {
  readonly corpId: string;
  /** A member of the corp; omit and give `openId` for a person who is not a member (web login only). */
  readonly userId?: string;
  /** Web login of a non-member: getuserinfo answers this openid instead of a userid. */
  readonly openId?: string;
  readonly kind: WecomLoginKind;
  /** The app whose login issued the code; defaults to the corp's first app. */
  readonly agentId?: number;
}

interface CodeRecord {
  readonly corpId: string;
  readonly agentId: number;
  readonly kind: WecomLoginKind;
  readonly userId?: string;
  readonly openId?: string;
  readonly issuedAtMs: number;
  used: boolean;
}

export class WecomSignInStore {
  readonly codes = new Map<string, CodeRecord>();
  /** Every exchange that succeeded, oldest first: what the system under test learned. */
  readonly exchanges: { kind: WecomLoginKind; corpId: string; userId?: string; openId?: string; at: Date }[] = [];
}

const stores = new WeakMap<WecomState, WecomSignInStore>();

export function wecomSignInOf(state: WecomState): WecomSignInStore {
  let store = stores.get(state);
  if (!store) {
    store = new WecomSignInStore();
    stores.set(state, store);
  }
  return store;
}

/** Mints a code as the WeCom client would (wx.qy.login) or the login page after a scan. Throws on bad input. */
export function issueWecomLoginCode(state: WecomState, input: WecomLoginCodeInput): string {
  const corp = state.corp(input.corpId);
  const agentId = input.agentId ?? corp.config.apps[0]?.agentId;
  if (agentId === undefined || !corp.config.apps.some((a) => a.agentId === agentId)) throw new Error(`corp ${input.corpId} has no app ${String(agentId)}`);
  if (input.userId === undefined) {
    if (input.kind !== 'web' || !input.openId) throw new Error('a login code needs a userId (or, for web login, the openId of a non-member)');
  } else {
    const member = corp.member(input.userId);
    if (!member) throw new Error(`${input.userId} is not a member of ${input.corpId}`);
    if (member.status !== 1) throw new Error(`${input.userId} is not active (status ${member.status}) and cannot sign in`);
  }
  const code = randomBytes(24).toString('base64url');
  const member = input.userId === undefined ? undefined : corp.member(input.userId);
  wecomSignInOf(state).codes.set(code, {
    corpId: input.corpId,
    agentId,
    kind: input.kind,
    ...(member ? { userId: member.userid } : { openId: input.openId }),
    issuedAtMs: state.nowMs(),
    used: false,
  });
  return code;
}

const stems: Record<number, string> = { 40029: 'invalid code', 41008: 'missing code' };

function errmsg(errcode: number, now: Date, detail?: string): string {
  const decorated = errmsgFor(errcode, now, detail);
  const stem = stems[errcode];
  return stem ? decorated.replace(/^unknown error/, stem) : decorated;
}

function queryParam(ctx: Context, name: string): string | undefined {
  const value = ctx.query[name];
  return Array.isArray(value) ? value[0] : value;
}

/** The code of a request, checked against the token's corp and app, then spent. */
function spend(state: WecomState, raw: string | undefined, kind: WecomLoginKind, token: { corpId: string; agentId: number }): CodeRecord {
  if (!raw) throw new WecomApiError(signInErrcodes.codeMissing);
  const record = wecomSignInOf(state).codes.get(raw);
  const reason = !record
    ? 'unknown'
    : record.used
      ? 'used'
      : state.nowMs() >= record.issuedAtMs + loginCodeLifetimeMs
        ? 'expired'
        : record.corpId !== token.corpId || record.agentId !== token.agentId
          ? 'another app'
          : record.kind !== kind
            ? `a ${record.kind} code`
            : undefined;
  if (!record || reason) throw new WecomApiError(signInErrcodes.invalidCode, reason);
  record.used = true;
  return record;
}

/** Routes of the two exchanges, mounted beside src/wecom/api.ts (counted and failNext-able the same way). */
export function wecomSignInRouter(state: WecomState): Router {
  const router = new Router();

  function endpoint(path: string, handler: (ctx: Context) => Record<string, unknown>) {
    router.get(path, (ctx) => {
      state.callCounts.set(path, (state.callCounts.get(path) ?? 0) + 1);
      const queue = state.failures.get(path);
      const failure = queue?.[0];
      if (queue && failure) {
        failure.remaining -= 1;
        if (failure.remaining <= 0) queue.shift();
        ctx.body = { errcode: failure.errcode, errmsg: errmsg(failure.errcode, state.clock.now(), 'injected') };
        return;
      }
      try {
        ctx.body = { errcode: 0, errmsg: 'ok', ...handler(ctx as unknown as Context) };
      } catch (error) {
        if (!(error instanceof WecomApiError)) throw error;
        ctx.body = { errcode: error.errcode, errmsg: errmsg(error.errcode, state.clock.now(), error.detail), ...error.extra };
      }
    });
  }

  /** Only an app's own token: the contacts-sync and kf secrets have no login (48002, as for other app-only APIs). */
  function appToken(ctx: Context) {
    const record = state.tokens.check(queryParam(ctx, 'access_token'));
    if (record.grant.kind !== 'app') throw new WecomApiError(errcodes.apiForbidden);
    return { corpId: record.corpId, agentId: record.grant.agentId };
  }

  endpoint('/cgi-bin/miniprogram/jscode2session', (ctx) => {
    const token = appToken(ctx);
    if (queryParam(ctx, 'grant_type') !== 'authorization_code') throw new WecomApiError(errcodes.invalidParameter, 'grant_type');
    const record = spend(state, queryParam(ctx, 'js_code'), 'miniapp', token);
    wecomSignInOf(state).exchanges.push({ kind: 'miniapp', corpId: record.corpId, userId: record.userId ?? '', at: state.clock.now() });
    return { corpid: record.corpId, userid: record.userId, session_key: randomBytes(16).toString('base64') };
  });

  endpoint('/cgi-bin/auth/getuserinfo', (ctx) => {
    const token = appToken(ctx);
    const record = spend(state, queryParam(ctx, 'code'), 'web', token);
    wecomSignInOf(state).exchanges.push({ kind: 'web', corpId: record.corpId, ...(record.userId ? { userId: record.userId } : { openId: record.openId ?? '' }), at: state.clock.now() });
    return record.userId !== undefined ? { userid: record.userId } : { openid: record.openId };
  });

  return router;
}
