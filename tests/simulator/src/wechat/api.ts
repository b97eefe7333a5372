import type { Context } from 'koa';
import { Router } from '@koa/router';
import { readBody } from '../http/read-body';
import { WecomApiError } from '../wecom/errors';
import type { WecomState } from '../wecom/state';
import { WechatApiError, kfErrcodes, kfErrmsg, wechatErrcodes, wechatErrmsg } from './errors';
import type { WechatState } from './state';

function queryOf(ctx: Context): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(ctx.query)) out[k] = Array.isArray(v) ? v[0] : v;
  return out;
}

async function jsonBody(ctx: Context, invalid: () => Error): Promise<Record<string, unknown>> {
  const raw = await readBody(ctx.req);
  try {
    const parsed: unknown = JSON.parse(raw);
    if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) return parsed as Record<string, unknown>;
  } catch {
    // answered below like the platform answers a body that is not JSON
  }
  throw invalid();
}

/**
 * 微信客服 routes (on WeCom's host, WeCom tokens of the kf secret) and mini-program routes (api.weixin.qq.com),
 * both on the simulator's one base URL: their paths do not collide with src/wecom/api.ts.
 */
export function wechatApiRouter(state: WechatState, wecom: WecomState): Router {
  const router = new Router();

  function count(path: string): number | undefined {
    state.callCounts.set(path, (state.callCounts.get(path) ?? 0) + 1);
    const queue = state.failures.get(path);
    const failure = queue?.[0];
    if (!queue || !failure) return undefined;
    failure.remaining -= 1;
    if (failure.remaining <= 0) queue.shift();
    return failure.errcode;
  }

  /** A kf endpoint: WeCom's answer format, and only a token fetched with the kf secret. */
  function kf(path: string, handler: (corpId: string, body: Record<string, unknown>) => Record<string, unknown>) {
    router.post(path, async (ctx) => {
      const now = wecom.clock.now();
      const injected = count(path);
      if (injected !== undefined) {
        ctx.body = { errcode: injected, errmsg: kfErrmsg(injected, now, 'injected') };
        return;
      }
      try {
        const record = wecom.tokens.check(queryOf(ctx).access_token);
        // https://developer.work.weixin.qq.com/document/path/96427 : kf APIs need the kf secret (or an app granted
        // kf access — not simulated); any other token is "api forbidden".
        if (record.grant.kind !== 'kf') throw new WecomApiError(kfErrcodes.apiForbidden);
        const body = await jsonBody(ctx, () => new WecomApiError(kfErrcodes.invalidParameter, 'Warning: wrong json format.'));
        ctx.body = { errcode: 0, errmsg: 'ok', ...handler(record.corpId, body) };
      } catch (error) {
        if (!(error instanceof WecomApiError)) throw error;
        ctx.body = { errcode: error.errcode, errmsg: kfErrmsg(error.errcode, now, error.detail), ...error.extra };
      }
    });
  }

  kf('/cgi-bin/kf/add_contact_way', (corpId, body) => state.kf.addContactWay(corpId, body));
  kf('/cgi-bin/kf/sync_msg', (corpId, body) => state.kf.syncMsg(corpId, body));
  kf('/cgi-bin/kf/send_msg', (corpId, body) => state.kf.sendMsg(corpId, body));

  /**
   * A mini-program endpoint: api.weixin.qq.com answers errors with errcode/errmsg (+ rid) and successes of
   * /cgi-bin/token and /sns/jscode2session without any errcode field.
   */
  function mp(method: 'get' | 'post', path: string, handler: (ctx: Context) => Promise<Record<string, unknown>> | Record<string, unknown>, okHasErrcode: boolean) {
    router[method](path, async (ctx) => {
      const injected = count(path);
      if (injected !== undefined) {
        ctx.body = { errcode: injected, errmsg: wechatErrmsg(injected, 'injected') };
        return;
      }
      try {
        const answer = await handler(ctx as unknown as Context);
        ctx.body = okHasErrcode ? { errcode: 0, errmsg: 'ok', ...answer } : answer;
      } catch (error) {
        if (!(error instanceof WechatApiError)) throw error;
        ctx.body = { errcode: error.errcode, errmsg: wechatErrmsg(error.errcode, error.detail) };
      }
    });
  }

  // https://developers.weixin.qq.com/miniprogram/dev/OpenApiDoc/mp-access-token/getAccessToken.html
  mp('get', '/cgi-bin/token', (ctx) => state.miniprogram.token(queryOf(ctx)), false);
  // https://developers.weixin.qq.com/miniprogram/dev/OpenApiDoc/user-login/code2Session.html
  mp('get', '/sns/jscode2session', (ctx) => state.miniprogram.jscode2session(queryOf(ctx)), false);
  // https://developers.weixin.qq.com/miniprogram/dev/OpenApiDoc/mp-message-management/subscribe-message/sendMessage.html
  mp(
    'post',
    '/cgi-bin/message/subscribe/send',
    async (ctx) => {
      const appId = state.miniprogram.checkToken(queryOf(ctx).access_token);
      const body = await jsonBody(ctx, () => new WechatApiError(wechatErrcodes.dataFormatError));
      return state.miniprogram.send(appId, body);
    },
    true,
  );

  return router;
}
