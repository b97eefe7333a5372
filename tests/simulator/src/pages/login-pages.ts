import type { Context } from 'koa';
import { Router } from '@koa/router';
import { randomBytes } from 'node:crypto';
import { dingtalkContactsOf } from '../dingtalk/contacts';
import type { DingtalkSimulator } from '../dingtalk/dingtalk-simulator';
import { issueDingtalkAuthCode } from '../dingtalk/sign-in';
import { issueWecomLoginCode } from '../wecom/sign-in';
import type { WecomSimulator } from '../wecom/wecom-simulator';
import { errorText, escapeHtml, html, readForm, safeHref } from './layout';

/**
 * The browser login pages (扫码登录) of both platforms, on the simulator's base URL instead of their own hosts:
 * - WeCom `GET /wwlogin/sso/login?login_type=CorpApp&appid=CORPID&agentid=AGENTID&redirect_uri=…&state=…`
 *   (https://developer.work.weixin.qq.com/document/path/98171 构造企业微信登录链接) → after the scan
 *   `redirect_uri?code=CODE&state=STATE`;
 * - DingTalk `GET /oauth2/auth?redirect_uri=…&response_type=code&client_id=APPKEY&scope=openid&state=…&prompt=consent`
 *   (https://open.dingtalk.com/document/orgapp/tutorial-obtaining-user-personal-information) → after consent
 *   `redirect_uri?authCode=CODE&state=STATE`.
 * Instead of a QR code, the page lists the organisation's people as buttons ("扫码登录为 …"); pressing one mints a
 * code for that person and answers 302 to the redirect_uri. Bad parameters get an error page (400).
 */

function problem(ctx: Context, title: string, message: string): void {
  ctx.status = 400;
  html(ctx, title, `<h1>${escapeHtml(title)} <small>Sign-in error</small></h1><p class="notice" role="alert">${escapeHtml(message)}</p>`);
}

function param(source: URLSearchParams | Context['query'], name: string): string {
  const value = source instanceof URLSearchParams ? source.get(name) : source[name];
  return (Array.isArray(value) ? value[0] : value) ?? '';
}

/** The redirect target with `name=code` and `state` added to whatever query it already has. */
function redirectTo(redirectUri: string, codeName: string, code: string, state: string): string {
  const url = new URL(redirectUri);
  url.searchParams.set(codeName, code);
  url.searchParams.set('state', state);
  return url.toString();
}

const hidden = (fields: Record<string, string>) =>
  Object.entries(fields)
    .map(([k, v]) => `<input type="hidden" name="${escapeHtml(k)}" value="${escapeHtml(v)}">`)
    .join('');

function personButton(action: string, fields: Record<string, string>, label: string): string {
  return `<form class="action" method="post" action="${escapeHtml(action)}">${hidden(fields)}<button type="submit">${escapeHtml(label)}</button></form>`;
}

export function loginPagesRouter(p: { readonly wecom: WecomSimulator; readonly dingtalk: DingtalkSimulator }): Router {
  const router = new Router();

  // —— WeCom ——

  type WecomLogin = { corpId: string; corpName: string; agentId: number; appName: string; redirectUri: string; state: string };
  const wecomParams = (source: URLSearchParams | Context['query']): WecomLogin | string => {
    if (param(source, 'login_type') !== 'CorpApp') return 'login_type 必须为 CorpApp（模拟器只模拟企业自建应用登录）';
    const corpId = param(source, 'appid');
    const corp = p.wecom.state.corps.get(corpId);
    if (!corp) return `appid 无效：没有企业 ${corpId}`;
    const agentId = Number(param(source, 'agentid'));
    const app = corp.config.apps.find((a) => a.agentId === agentId);
    if (!app) return `agentid 无效：企业 ${corpId} 没有应用 ${param(source, 'agentid')}`;
    const redirectUri = param(source, 'redirect_uri');
    if (!safeHref(redirectUri)) return 'redirect_uri 缺失或不是 http(s) 地址';
    return { corpId, corpName: corp.config.name ?? corpId, agentId, appName: app.name ?? `应用 ${agentId}`, redirectUri, state: param(source, 'state') };
  };

  router.get('/wwlogin/sso/login', (ctx) => {
    const login = wecomParams(ctx.query);
    if (typeof login === 'string') return problem(ctx, '企业微信登录', login);
    const corp = p.wecom.state.corp(login.corpId);
    const fields = { login_type: 'CorpApp', appid: login.corpId, agentid: String(login.agentId), redirect_uri: login.redirectUri, state: login.state };
    const members = [...corp.members.values()]
      .filter((m) => m.status === 1)
      .map((m) => personButton('/wwlogin/sso/login/confirm', { ...fields, userid: m.userid }, `扫码登录为 ${m.name}（${m.userid}）`));
    const outsider = personButton('/wwlogin/sso/login/confirm', { ...fields, outsider: '1' }, '以非本企业成员的微信用户扫码');
    html(
      ctx,
      '企业微信登录',
      `<h1>企业微信登录 <small>WeCom sign-in</small></h1><p>「${escapeHtml(login.appName)}」请求使用企业微信登录 · ${escapeHtml(login.corpName)}</p>` +
        `<p class="muted">模拟扫码：选择用哪位成员的企业微信扫码确认。Pick who scans the QR code.</p>` +
        `<p class="meta">登录后跳转到 ${escapeHtml(login.redirectUri)}</p>` +
        (members.join('') || '<p class="muted">该企业暂无可登录的成员</p>') +
        outsider,
    );
  });

  router.post('/wwlogin/sso/login/confirm', async (ctx) => {
    const form = await readForm(ctx);
    const login = wecomParams(form);
    if (typeof login === 'string') return problem(ctx, '企业微信登录', login);
    let code: string;
    try {
      code =
        form.get('outsider') === '1'
          ? issueWecomLoginCode(p.wecom.state, { corpId: login.corpId, agentId: login.agentId, kind: 'web', openId: `o${randomBytes(12).toString('base64url')}` })
          : issueWecomLoginCode(p.wecom.state, { corpId: login.corpId, agentId: login.agentId, kind: 'web', userId: form.get('userid') ?? '' });
    } catch (error) {
      return problem(ctx, '企业微信登录', errorText(error));
    }
    ctx.status = 302;
    ctx.redirect(redirectTo(login.redirectUri, 'code', code, login.state));
  });

  // —— DingTalk ——

  type DingtalkLogin = { appKey: string; appName: string; corpId: string; redirectUri: string; state: string; scope: string };
  const dingtalkParams = (source: URLSearchParams | Context['query']): DingtalkLogin | string => {
    const appKey = param(source, 'client_id');
    const app = p.dingtalk.state.apps.get(appKey);
    if (!app) return `client_id 无效：没有应用 ${appKey}`;
    if (param(source, 'response_type') !== 'code') return 'response_type 必须为 code';
    const scope = param(source, 'scope');
    if (!scope.split(/\s+/).includes('openid')) return 'scope 必须包含 openid';
    const redirectUri = param(source, 'redirect_uri');
    if (!safeHref(redirectUri)) return 'redirect_uri 缺失或不是 http(s) 地址';
    return { appKey, appName: app.name ?? appKey, corpId: app.corpId, redirectUri, state: param(source, 'state'), scope };
  };

  router.get('/oauth2/auth', (ctx) => {
    const login = dingtalkParams(ctx.query);
    if (typeof login === 'string') return problem(ctx, '钉钉登录', login);
    const fields = { client_id: login.appKey, response_type: 'code', scope: login.scope, redirect_uri: login.redirectUri, state: login.state };
    // The simulated DingTalk keeps one organisation's contacts: its members, then robot users that have a unionId.
    const members = dingtalkContactsOf(p.dingtalk.state).members;
    const people = [
      ...[...members.values()].filter((m) => m.active !== false).map((m) => ({ userId: m.userId, name: m.name })),
      ...[...p.dingtalk.state.users.values()].filter((u) => !members.has(u.userId) && u.unionId).map((u) => ({ userId: u.userId, name: u.name })),
    ].map((u) => personButton('/oauth2/auth/confirm', { ...fields, userid: u.userId }, `扫码登录为 ${u.name}（${u.userId}）`));
    html(
      ctx,
      '钉钉登录',
      `<h1>钉钉登录 <small>DingTalk sign-in</small></h1><p>「${escapeHtml(login.appName)}」申请使用你的钉钉账号登录（个人信息：昵称、unionId）</p>` +
        `<p class="muted">模拟扫码并同意授权：选择用哪位用户的钉钉扫码。Pick who scans and consents.</p>` +
        `<p class="meta">登录后跳转到 ${escapeHtml(login.redirectUri)}</p>` +
        (people.join('') || '<p class="muted">暂无可登录的钉钉用户</p>'),
    );
  });

  router.post('/oauth2/auth/confirm', async (ctx) => {
    const form = await readForm(ctx);
    const login = dingtalkParams(form);
    if (typeof login === 'string') return problem(ctx, '钉钉登录', login);
    let code: string;
    try {
      code = issueDingtalkAuthCode(p.dingtalk.state, { corpId: login.corpId, appKey: login.appKey, userId: form.get('userid') ?? '', kind: 'web', scope: login.scope });
    } catch (error) {
      return problem(ctx, '钉钉登录', errorText(error));
    }
    ctx.status = 302;
    ctx.redirect(redirectTo(login.redirectUri, 'authCode', code, login.state));
  });

  return router;
}
