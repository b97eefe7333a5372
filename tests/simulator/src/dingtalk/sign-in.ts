import { createHash, randomBytes } from 'node:crypto';
import type { Context } from 'koa';
import { Router } from '@koa/router';
import { readBody } from '../http/read-body';
import { dingtalkContactsOf } from './contacts';
import { DingtalkApiError, newApiErrors } from './errors';
import type { DingtalkAppConfig, DingtalkState } from './state';

/**
 * DingTalk sign-in codes (authCode) and the endpoints that take them:
 * - mini-app / H5 free login: `dd.getAuthCode({corpId})` → `POST /topapi/v2/user/getuserinfo?access_token= {code}` →
 *   `{errcode:0, result:{userid, unionid, name, device_id, sys, sys_level}}` (old API, HTTP 200; platform.md §7.4);
 *   a bad code is errcode 40078 "不存在的临时授权码" (global code table, and what developers report for reused codes);
 * - web login (login.dingtalk.com/oauth2/auth → `redirect_uri?authCode=&state=`): `POST /v1.0/oauth2/userAccessToken
 *   {clientId, clientSecret, code, grantType:"authorization_code"}` → `{accessToken, refreshToken, expireIn, corpId?}`
 *   then `GET /v1.0/contact/users/me` with the user's token → `{nick, unionId, openId, avatarUrl, stateCode}`
 *   (https://open.dingtalk.com/document/orgapp/tutorial-obtaining-user-personal-information).
 * Codes are single use and live 5 minutes on the simulator clock. A mini-app code belongs to its corp (any app of the
 * corp may exchange it); a web code to the app (clientId) whose login page issued it. The two kinds are not
 * interchangeable, as developers report ("browser OAuth code ≠ 免登 code").
 */
export const authCodeLifetimeMs = 5 * 60_000;
/** User access tokens of the web login live 7200 s (expireIn of userAccessToken). */
export const userTokenLifetimeSeconds = 7200;

export const signInErrcodes = {
  /** 不存在的临时授权码 (old API). */
  invalidAuthCode: 40078,
  invalidToken: 40014,
  missingParameter: 40035,
} as const;

/** chosen: the new API's answer to a bad authCode on userAccessToken; the exact code string is not documented. */
export const invalidAuthCodeError = () => new DingtalkApiError(400, 'invalidAuthCode', '不合法的临时授权码');

export type DingtalkLoginKind = 'miniapp' | 'web';

export interface DingtalkAuthCodeInput {
  readonly corpId: string;
  readonly userId: string;
  /** 'miniapp' (default): dd.getAuthCode; 'web': the browser login page. */
  readonly kind?: DingtalkLoginKind;
  /** Web codes belong to an app: defaults to the corp's only app. */
  readonly appKey?: string;
  /** Web login scope; `corpid` in it makes userAccessToken answer the corpId. Default "openid". */
  readonly scope?: string;
}

interface CodeRecord {
  readonly corpId: string;
  readonly kind: DingtalkLoginKind;
  readonly appKey?: string;
  readonly userId: string;
  readonly unionId: string;
  readonly name: string;
  readonly scope: string;
  readonly issuedAtMs: number;
  used: boolean;
}

export class DingtalkSignInStore {
  readonly codes = new Map<string, CodeRecord>();
  readonly userTokens = new Map<string, { unionId: string; userId: string; appKey: string; issuedAtMs: number }>();
}

const stores = new WeakMap<DingtalkState, DingtalkSignInStore>();

export function dingtalkSignInOf(state: DingtalkState): DingtalkSignInStore {
  let store = stores.get(state);
  if (!store) {
    store = new DingtalkSignInStore();
    stores.set(state, store);
  }
  return store;
}

/** The person as the contacts know them (a member), else as a robot-reachable user with a unionId. */
function personOf(state: DingtalkState, userId: string): { unionId: string; name: string } | undefined {
  const member = dingtalkContactsOf(state).members.get(userId);
  if (member) return { unionId: member.unionId, name: member.name };
  const user = state.users.get(userId);
  return user?.unionId ? { unionId: user.unionId, name: user.name } : undefined;
}

export function appsOfCorp(state: DingtalkState, corpId: string): DingtalkAppConfig[] {
  return [...state.apps.values()].filter((a) => a.corpId === corpId);
}

/** Mints an authCode as the DingTalk client (dd.getAuthCode) or the login page after a scan. Throws on bad input. */
export function issueDingtalkAuthCode(state: DingtalkState, input: DingtalkAuthCodeInput): string {
  const kind = input.kind ?? 'miniapp';
  const apps = appsOfCorp(state, input.corpId);
  if (apps.length === 0) throw new Error(`no DingTalk app of corp ${input.corpId}`);
  let appKey: string | undefined;
  if (kind === 'web') {
    if (input.appKey !== undefined && !apps.some((a) => a.appKey === input.appKey)) throw new Error(`app ${input.appKey} is not of corp ${input.corpId}`);
    if (input.appKey === undefined && apps.length > 1) throw new Error(`corp ${input.corpId} has several apps: pass appKey`);
    appKey = input.appKey ?? apps[0]?.appKey;
  }
  const person = personOf(state, input.userId);
  if (!person) throw new Error(`no DingTalk member ${input.userId} (add it with addMember, or addUser with a unionId)`);
  const code = randomBytes(16).toString('hex');
  dingtalkSignInOf(state).codes.set(code, {
    corpId: input.corpId,
    kind,
    ...(appKey ? { appKey } : {}),
    userId: input.userId,
    ...person,
    scope: input.scope ?? 'openid',
    issuedAtMs: state.nowMs(),
    used: false,
  });
  return code;
}

/** The code if it is live, unused and of this kind and corp/app; marks it used. `undefined` otherwise. */
function spend(state: DingtalkState, raw: unknown, kind: DingtalkLoginKind, owner: { corpId: string; appKey?: string }): CodeRecord | undefined {
  const record = typeof raw === 'string' && raw !== '' ? dingtalkSignInOf(state).codes.get(raw) : undefined;
  if (!record || record.used || record.kind !== kind || state.nowMs() >= record.issuedAtMs + authCodeLifetimeMs) return undefined;
  if (record.corpId !== owner.corpId || (kind === 'web' && record.appKey !== owner.appKey)) return undefined;
  record.used = true;
  return record;
}

const requestId = () => randomBytes(6).toString('hex');
/** Per-app openId of a person (stable, as DingTalk's). */
const openIdOf = (appKey: string, unionId: string) => createHash('sha256').update(`${appKey}\0${unionId}`).digest('base64url').slice(0, 22);

async function jsonOf(ctx: Context): Promise<Record<string, unknown> | undefined> {
  try {
    const parsed: unknown = JSON.parse(await readBody(ctx.req));
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

export function dingtalkSignInRouter(state: DingtalkState): Router {
  const router = new Router();
  const store = dingtalkSignInOf(state);

  // Old API: HTTP 200, {errcode, errmsg}, token in the query (the new API's app token is accepted, as for contacts).
  router.post('/topapi/v2/user/getuserinfo', async (ctx) => {
    const path = '/topapi/v2/user/getuserinfo';
    state.count(path);
    const fail = (errcode: number, errmsg: string) => {
      ctx.body = { errcode, errmsg, request_id: requestId() };
    };
    let app: DingtalkAppConfig;
    try {
      const token = ctx.query.access_token;
      app = state.checkToken(typeof token === 'string' && token !== '' ? token : undefined);
    } catch (error) {
      if (error instanceof DingtalkApiError) return fail(signInErrcodes.invalidToken, '不合法的access_token');
      throw error;
    }
    const body = await jsonOf(ctx);
    if (!body || typeof body.code !== 'string' || body.code === '') return fail(signInErrcodes.missingParameter, '缺少参数 code');
    const record = spend(state, body.code, 'miniapp', { corpId: app.corpId });
    if (!record) return fail(signInErrcodes.invalidAuthCode, '不存在的临时授权码');
    ctx.body = {
      errcode: 0,
      errmsg: 'ok',
      result: { userid: record.userId, unionid: record.unionId, name: record.name, device_id: randomBytes(8).toString('hex'), sys: false, sys_level: 0 },
      request_id: requestId(),
    };
  });

  const newApi = (path: string, method: 'get' | 'post', handler: (ctx: Context) => Promise<object> | object) => {
    router[method](path, async (ctx) => {
      state.count(path);
      try {
        ctx.body = await handler(ctx as unknown as Context);
      } catch (error) {
        if (!(error instanceof DingtalkApiError)) throw error;
        ctx.status = error.status;
        ctx.body = error.body();
      }
    });
  };

  newApi('/v1.0/oauth2/userAccessToken', 'post', async (ctx) => {
    const body = await jsonOf(ctx);
    if (!body) throw new DingtalkApiError(400, 'MissingBody', 'body is mandatory for this action.');
    const app = state.appByCredentials(body.clientId, body.clientSecret);
    if (!app) throw newApiErrors.invalidClient();
    if (body.grantType !== 'authorization_code') throw newApiErrors.invalidParameter('grantType', 'invalid', 'grantType 只支持 authorization_code');
    const record = spend(state, body.code, 'web', { corpId: app.corpId, appKey: app.appKey });
    if (!record) throw invalidAuthCodeError();
    const accessToken = randomBytes(16).toString('hex');
    store.userTokens.set(accessToken, { unionId: record.unionId, userId: record.userId, appKey: app.appKey, issuedAtMs: state.nowMs() });
    return {
      accessToken,
      refreshToken: randomBytes(16).toString('hex'),
      expireIn: userTokenLifetimeSeconds,
      ...(record.scope.split(/\s+/).includes('corpid') ? { corpId: record.corpId } : {}),
    };
  });

  newApi('/v1.0/contact/users/me', 'get', (ctx) => {
    const token = ctx.get('x-acs-dingtalk-access-token');
    if (!token) throw newApiErrors.missingToken();
    const user = store.userTokens.get(token);
    if (!user || state.nowMs() >= user.issuedAtMs + userTokenLifetimeSeconds * 1000) throw newApiErrors.invalidToken();
    const person = personOf(state, user.userId);
    return {
      nick: person?.name ?? user.userId,
      avatarUrl: '',
      openId: openIdOf(user.appKey, user.unionId),
      unionId: user.unionId,
      stateCode: '86',
    };
  });

  return router;
}
