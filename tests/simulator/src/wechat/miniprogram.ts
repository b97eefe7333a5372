import { randomBytes } from 'node:crypto';
import type { Clock } from '../clock';
import { WechatApiError, wechatErrcodes } from './errors';

/**
 * A WeChat mini-program: login codes, its access tokens (api.weixin.qq.com, not WeCom) and one-time subscription
 * messages with a balance per user and template.
 */

export interface TemplateInput {
  readonly id: string;
  /** Data keys of the template, e.g. ["thing1", "time2", "thing3"]; the prefix names the value rule. */
  readonly keys: readonly string[];
}

export interface MiniProgramInput {
  readonly appId: string;
  readonly secret: string;
  readonly templates?: readonly TemplateInput[];
  /** Bound to a WeChat Open Platform account: jscode2session then answers unionid as well. */
  readonly openPlatform?: boolean;
}

export interface SubscriptionMessage {
  readonly appId: string;
  readonly templateId: string;
  readonly page?: string;
  readonly data: Readonly<Record<string, string>>;
  readonly receivedAt: Date;
}

// https://developers.weixin.qq.com/miniprogram/dev/OpenApiDoc/mp-access-token/getAccessToken.html : 7200 s; a new
// fetch replaces the old token, which stays usable for 5 more minutes.
export const mpTokenLifetimeSeconds = 7200;
export const mpOldTokenGraceMs = 5 * 60_000;
// https://developers.weixin.qq.com/miniprogram/dev/OpenApiDoc/user-login/code2Session.html : a code is valid 5 min, once.
export const jsCodeLifetimeMs = 5 * 60_000;

const randomId = (prefix: string, bytes: number) => `${prefix}${randomBytes(bytes).toString('base64url')}`;

/**
 * Value rules of subscription-message data, by key prefix.
 * https://developers.weixin.qq.com/miniprogram/dev/OpenApiDoc/mp-message-management/subscribe-message/sendMessage.html
 */
const chars = (s: string) => [...s].length;
const dateTime = /^(\d{4}年\d{1,2}月\d{1,2}日|\d{4}-\d{1,2}-\d{1,2})?( ?\d{1,2}:\d{2})?$/;
const timeRange = (value: string, needsDate: boolean) =>
  value.split('~').every((part) => {
    const p = part.trim();
    if (p === '' || !dateTime.test(p)) return false;
    const hasDate = /[年-]/.test(p);
    const hasTime = /:/.test(p);
    return needsDate ? hasDate : hasTime;
  });
const valueRules: Record<string, (value: string) => boolean> = {
  thing: (v) => chars(v) <= 20,
  number: (v) => /^[0-9]+(\.[0-9]+)?$/.test(v) && v.replace('.', '').length <= 32,
  letter: (v) => /^[A-Za-z]{1,32}$/.test(v),
  character_string: (v) => /^[\x21-\x7e]{1,32}$/.test(v),
  time: (v) => timeRange(v, false),
  date: (v) => timeRange(v, true),
  phone_number: (v) => /^[0-9+\-() ]{1,17}$/.test(v),
  name: (v) => (/^[\p{Script=Han}·]+$/u.test(v) ? chars(v) <= 10 : /^[A-Za-z .]{1,20}$/.test(v)),
  phrase: (v) => /^\p{Script=Han}{1,5}$/u.test(v),
};

export function ruleOf(key: string): string | undefined {
  const prefix = key.replace(/\d+$/, '');
  return prefix in valueRules ? prefix : undefined;
}

export class MiniProgramState {
  readonly apps = new Map<string, MiniProgramInput>();
  private readonly tokens = new Map<string, { appId: string; issuedMs: number; supersededMs?: number }>();
  private readonly latestToken = new Map<string, string>();
  private readonly codes = new Map<string, { appId: string; user: string; issuedMs: number; used: boolean }>();
  /** `appId\0user` → openid; `user` → unionid. */
  private readonly openids = new Map<string, string>();
  private readonly unionids = new Map<string, string>();
  private readonly balances = new Map<string, number>();
  readonly inboxes = new Map<string, SubscriptionMessage[]>();

  constructor(private readonly clock: Clock) {}

  private nowMs() {
    return this.clock.now().getTime();
  }

  add(input: MiniProgramInput): void {
    if (this.apps.has(input.appId)) throw new Error(`mini-program ${input.appId} already exists`);
    for (const t of input.templates ?? []) {
      for (const key of t.keys) if (!ruleOf(key)) throw new Error(`template ${t.id}: unknown data key type ${key}`);
    }
    this.apps.set(input.appId, input);
  }

  openid(appId: string, user: string): string {
    if (!this.apps.has(appId)) throw new Error(`unknown mini-program ${appId}`);
    const key = `${appId}\0${user}`;
    let id = this.openids.get(key);
    if (!id) {
      id = randomId('o', 21);
      this.openids.set(key, id);
    }
    return id;
  }

  unionid(user: string): string {
    let id = this.unionids.get(user);
    if (!id) {
      id = randomId('oU', 20);
      this.unionids.set(user, id);
    }
    return id;
  }

  /** Read-only: every openid handed out so far, with its mini-program and WeChat user. */
  knownOpenids(): { appId: string; user: string; openid: string }[] {
    return [...this.openids.entries()].map(([key, openid]) => {
      const cut = key.indexOf('\0');
      return { appId: key.slice(0, cut), user: key.slice(cut + 1), openid };
    });
  }

  /** The app and user an openid belongs to. */
  ownerOf(openid: string): { appId: string; user: string } | undefined {
    for (const [key, id] of this.openids) {
      if (id === openid) {
        const [appId = '', user = ''] = key.split('\0');
        return { appId, user };
      }
    }
    return undefined;
  }

  /** wx.login() in the mini-program: a fresh code for this user. */
  login(appId: string, user: string): string {
    if (!this.apps.has(appId)) throw new Error(`unknown mini-program ${appId}`);
    this.openid(appId, user);
    const code = randomId('', 24);
    this.codes.set(code, { appId, user, issuedMs: this.nowMs(), used: false });
    return code;
  }

  /** The user tapped "允许" for these templates: one send right each (one-time subscription). */
  accept(openid: string, templateIds: readonly string[]): void {
    const owner = this.ownerOf(openid);
    if (!owner) throw new Error(`unknown openid ${openid}`);
    const app = this.apps.get(owner.appId);
    for (const id of templateIds) {
      if (!app?.templates?.some((t) => t.id === id)) throw new Error(`mini-program ${owner.appId} has no template ${id}`);
      const key = `${openid}\0${id}`;
      this.balances.set(key, (this.balances.get(key) ?? 0) + 1);
    }
  }

  balance(openid: string, templateId: string): number {
    return this.balances.get(`${openid}\0${templateId}`) ?? 0;
  }

  private credentials(query: Record<string, string | undefined>): MiniProgramInput {
    if (!query.appid) throw new WechatApiError(wechatErrcodes.appIdMissing);
    if (!query.secret) throw new WechatApiError(wechatErrcodes.secretMissing);
    const app = this.apps.get(query.appid);
    if (!app) throw new WechatApiError(wechatErrcodes.invalidAppId);
    if (app.secret !== query.secret) throw new WechatApiError(wechatErrcodes.invalidAppSecret);
    return app;
  }

  /** GET /cgi-bin/token?grant_type=client_credential&appid&secret */
  token(query: Record<string, string | undefined>) {
    if (query.grant_type !== 'client_credential') throw new WechatApiError(wechatErrcodes.invalidGrantType);
    const app = this.credentials(query);
    const previous = this.latestToken.get(app.appId);
    const prior = previous ? this.tokens.get(previous) : undefined;
    if (prior) prior.supersededMs = this.nowMs();
    const token = randomId('', 96);
    this.tokens.set(token, { appId: app.appId, issuedMs: this.nowMs() });
    this.latestToken.set(app.appId, token);
    return { access_token: token, expires_in: mpTokenLifetimeSeconds };
  }

  checkToken(token: string | undefined): string {
    if (!token) throw new WechatApiError(wechatErrcodes.accessTokenMissing);
    const record = this.tokens.get(token);
    if (!record) throw new WechatApiError(wechatErrcodes.invalidCredential);
    const now = this.nowMs();
    if (record.supersededMs !== undefined && now - record.supersededMs > mpOldTokenGraceMs) throw new WechatApiError(wechatErrcodes.invalidCredential);
    if (now >= record.issuedMs + mpTokenLifetimeSeconds * 1000) throw new WechatApiError(wechatErrcodes.accessTokenExpired);
    return record.appId;
  }

  /** GET /sns/jscode2session?appid&secret&js_code&grant_type=authorization_code */
  jscode2session(query: Record<string, string | undefined>) {
    const app = this.credentials(query);
    if (query.grant_type !== 'authorization_code') throw new WechatApiError(wechatErrcodes.invalidGrantType);
    const code = query.js_code ? this.codes.get(query.js_code) : undefined;
    if (!code || code.appId !== app.appId || this.nowMs() - code.issuedMs > jsCodeLifetimeMs) throw new WechatApiError(wechatErrcodes.invalidCode);
    if (code.used) throw new WechatApiError(wechatErrcodes.codeUsed);
    code.used = true;
    return {
      openid: this.openid(app.appId, code.user),
      session_key: randomBytes(16).toString('base64'),
      ...(app.openPlatform ? { unionid: this.unionid(code.user) } : {}),
    };
  }

  /** POST /cgi-bin/message/subscribe/send?access_token= */
  send(appId: string, body: Record<string, unknown>) {
    const app = this.apps.get(appId);
    const touser = body.touser;
    const owner = typeof touser === 'string' ? this.ownerOf(touser) : undefined;
    if (!app || !owner || owner.appId !== appId) throw new WechatApiError(wechatErrcodes.invalidOpenId);
    const template = app.templates?.find((t) => t.id === body.template_id);
    if (!template) throw new WechatApiError(wechatErrcodes.invalidTemplateId);
    const data = body.data;
    if (typeof data !== 'object' || data === null || Array.isArray(data)) throw new WechatApiError(wechatErrcodes.argumentInvalid, 'data');
    const values: Record<string, string> = {};
    for (const key of template.keys) {
      const value = (data as Record<string, { value?: unknown } | undefined>)[key]?.value;
      const rule = ruleOf(key);
      if (typeof value !== 'string' || !rule || !valueRules[rule]?.(value)) {
        throw new WechatApiError(wechatErrcodes.argumentInvalid, `data.${key}.value invalid`);
      }
      values[key] = value;
    }
    // The docs do not say which check comes first; data first means a malformed send never uses up an acceptance.
    const key = `${touser as string}\0${template.id}`;
    const balance = this.balances.get(key) ?? 0;
    if (balance <= 0) throw new WechatApiError(wechatErrcodes.userRefuse);
    this.balances.set(key, balance - 1);
    const list = this.inboxes.get(touser as string) ?? [];
    list.push({
      appId,
      templateId: template.id,
      data: values,
      receivedAt: this.clock.now(),
      ...(typeof body.page === 'string' ? { page: body.page } : {}),
    });
    this.inboxes.set(touser as string, list);
    return { msgid: Number.parseInt(randomBytes(6).toString('hex'), 16) };
  }
}
