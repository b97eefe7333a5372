import type { Context } from 'koa';
import { Router } from '@koa/router';
import { readBody } from '../http/read-body';
import { updateTemplateCard } from './cards';
import { ListIdCursors, departmentSimpleList, userGet, userListId } from './contacts';
import { WecomApiError, errcodes, errmsgFor } from './errors';
import { sendAppMessage } from './messages';
import type { WecomState } from './state';
import { tokenLifetimeSeconds } from './tokens';
import { sendRobotMessage } from './webhook';
import { wecomHrOf } from './hr-assistant';

type Answer = Record<string, unknown>;

function queryParam(ctx: Context, name: string): string | undefined {
  const value = ctx.query[name];
  return Array.isArray(value) ? value[0] : value;
}

async function jsonBody(ctx: Context): Promise<Record<string, unknown>> {
  const raw = await readBody(ctx.req);
  try {
    const parsed: unknown = JSON.parse(raw);
    if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) return parsed as Record<string, unknown>;
  } catch {
    // falls through to WeCom's answer for a body that is not JSON
  }
  throw new WecomApiError(errcodes.invalidParameter, 'Warning: wrong json format.');
}

/** Routes under https://qyapi.weixin.qq.com, same paths and answer shapes, on the simulator's base URL. */
export function wecomApiRouter(state: WecomState): Router {
  const router = new Router();
  const cursors = new ListIdCursors();

  /**
   * Every endpoint: count the call, answer an injected failure before anything else, then run the handler.
   * WeCom answers API errors with HTTP 200 and an errcode, so does the simulator.
   */
  function endpoint(method: 'get' | 'post', path: string, handler: (ctx: Context) => Promise<Answer> | Answer) {
    router[method](path, async (ctx) => {
      state.callCounts.set(path, (state.callCounts.get(path) ?? 0) + 1);
      const queue = state.failures.get(path);
      const failure = queue?.[0];
      if (queue && failure) {
        failure.remaining -= 1;
        if (failure.remaining <= 0) queue.shift();
        ctx.body = { errcode: failure.errcode, errmsg: errmsgFor(failure.errcode, state.clock.now(), 'injected') };
        return;
      }
      try {
        const answer = await handler(ctx as unknown as Context);
        ctx.body = { errcode: 0, errmsg: 'ok', ...answer };
      } catch (error) {
        if (!(error instanceof WecomApiError)) throw error;
        ctx.body = { errcode: error.errcode, errmsg: errmsgFor(error.errcode, state.clock.now(), error.detail), ...error.extra };
      }
    });
  }

  function authorise(ctx: Context) {
    const record = state.tokens.check(queryParam(ctx, 'access_token'));
    return { record, corp: state.corp(record.corpId) };
  }

  // https://developer.work.weixin.qq.com/document/path/91039 (获取access_token)
  endpoint('get', '/cgi-bin/gettoken', (ctx) => {
    const corpId = queryParam(ctx, 'corpid');
    const secret = queryParam(ctx, 'corpsecret');
    if (!corpId) throw new WecomApiError(errcodes.corpIdMissing);
    if (!secret) throw new WecomApiError(errcodes.secretMissing);
    const corp = state.corps.get(corpId);
    if (!corp) throw new WecomApiError(errcodes.invalidCorpId);
    const limit = corp.config.gettokenLimitPerHour;
    if (limit !== undefined) {
      const window = state.gettokenHour.get(corpId);
      if (window.count(state.nowMs()) >= limit) throw new WecomApiError(errcodes.apiFreqOutOfLimit);
      window.record(state.nowMs());
    }
    const app = corp.config.apps.find((a) => a.secret === secret);
    let record;
    if (app) record = state.tokens.issue(corpId, secret, { kind: 'app', agentId: app.agentId });
    else if (corp.config.contactsSecret !== undefined && secret === corp.config.contactsSecret) {
      record = state.tokens.issue(corpId, secret, { kind: 'contacts' });
    } else if (corp.config.kfSecret !== undefined && secret === corp.config.kfSecret) {
      record = state.tokens.issue(corpId, secret, { kind: 'kf' });
    } else throw new WecomApiError(errcodes.invalidSecret);
    return { access_token: record.token, expires_in: tokenLifetimeSeconds };
  });

  // https://developer.work.weixin.qq.com/document/path/90236 (发送应用消息)
  endpoint('post', '/cgi-bin/message/send', async (ctx) => {
    const { record, corp } = authorise(ctx);
    return sendAppMessage(state, corp, record.grant, await jsonBody(ctx));
  });

  // https://developer.work.weixin.qq.com/document/path/94945 (更新模版卡片消息)
  endpoint('post', '/cgi-bin/message/update_template_card', async (ctx) => {
    const { record, corp } = authorise(ctx);
    return updateTemplateCard(state, corp, record.grant, await jsonBody(ctx));
  });

  // https://developer.work.weixin.qq.com/document/path/91770 (消息推送配置说明): the key is the only credential.
  endpoint('post', '/cgi-bin/webhook/send', async (ctx) => {
    const key = queryParam(ctx, 'key');
    if (!key || !state.robots.has(key)) throw new WecomApiError(errcodes.invalidWebhookUrl);
    return sendRobotMessage(state, key, await jsonBody(ctx));
  });

  // https://developer.work.weixin.qq.com/document/path/95350 (获取子部门ID列表)
  endpoint('get', '/cgi-bin/department/simplelist', (ctx) => {
    const { corp } = authorise(ctx);
    return departmentSimpleList(corp, queryParam(ctx, 'id'));
  });

  // https://developer.work.weixin.qq.com/document/path/96067 (获取成员ID列表)
  endpoint('post', '/cgi-bin/user/list_id', async (ctx) => {
    const { record, corp } = authorise(ctx);
    return userListId(corp, record.grant, cursors, await jsonBody(ctx));
  });

  // https://developer.work.weixin.qq.com/document/path/90196 (读取成员)
  endpoint('get', '/cgi-bin/user/get', (ctx) => {
    const { record, corp } = authorise(ctx);
    return userGet(corp, record.grant, queryParam(ctx, 'userid'));
  });

  // https://developer.work.weixin.qq.com/document/path/90506 : the corp ticket signs wx.config, the app ticket
  // (type=agent_config) signs wx.agentConfig.
  endpoint('get', '/cgi-bin/get_jsapi_ticket', (ctx) => {
    const { record } = authorise(ctx);
    return state.tickets.corpTicket(record.corpId, record.grant);
  });
  endpoint('get', '/cgi-bin/ticket/get', (ctx) => {
    const { record } = authorise(ctx);
    if (queryParam(ctx, 'type') !== 'agent_config') throw new WecomApiError(errcodes.invalidParameter, 'type');
    return state.tickets.appTicket(record.corpId, record.grant);
  });

  // 人事助手 花名册 (src/wecom/hr-assistant.ts): https://developer.work.weixin.qq.com/document/path/99131 , 99132, 99133
  const hr = wecomHrOf(state);
  endpoint('get', '/cgi-bin/hr/get_fields', (ctx) => {
    const { record, corp } = authorise(ctx);
    return hr.getFields(corp, record.grant);
  });
  endpoint('post', '/cgi-bin/hr/get_staff_info', async (ctx) => {
    const { record, corp } = authorise(ctx);
    return hr.getStaffInfo(corp, record.grant, await jsonBody(ctx));
  });
  endpoint('post', '/cgi-bin/hr/update_staff_info', async (ctx) => {
    const { record, corp } = authorise(ctx);
    return hr.updateStaffInfo(corp, record.grant, await jsonBody(ctx));
  });

  return router;
}
