import type { Context } from 'koa';
import { Router } from '@koa/router';
import { readBody } from '../http/read-body';
import { DingtalkApiError, OapiError, newApiErrors, oapiErrcodes } from './errors';
import { createAndDeliverCard, maxImageBytes, uploadMedia, updateCard } from './cards';
import { batchSendOto, sendBySession, sendGroupMessage, sendWebhook } from './robot';
import type { DingtalkState } from './state';
import type { StreamGateway } from './stream';

function queryParam(ctx: Context, name: string): string | undefined {
  const value = ctx.query[name];
  return Array.isArray(value) ? value[0] : value;
}

async function jsonBody(ctx: Context, style: 'new' | 'oapi'): Promise<Record<string, unknown>> {
  const raw = await readBody(ctx.req);
  try {
    const parsed: unknown = JSON.parse(raw);
    if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) return parsed as Record<string, unknown>;
  } catch {
    // falls through
  }
  if (style === 'oapi') throw new OapiError(oapiErrcodes.missingParameter, 'body is not JSON');
  throw new DingtalkApiError(400, 'MissingBody', 'body is mandatory for this action.');
}

async function readRawBody(req: Context['req'], max: number): Promise<Buffer | 'too_large'> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > max) return 'too_large';
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/**
 * Routes of https://api.dingtalk.com (new API: errors are HTTP 4xx with `{code, message, requestid}`) and
 * https://oapi.dingtalk.com (old API: HTTP 200 with `{errcode, errmsg}`), on the simulator's base URL.
 */
export function dingtalkApiRouter(state: DingtalkState, gateway: StreamGateway): Router {
  const router = new Router();

  function endpoint(method: 'get' | 'post' | 'put', path: string, handler: (ctx: Context) => Promise<object> | object) {
    router[method](path, async (ctx) => {
      state.count(path);
      try {
        const answer = await handler(ctx as unknown as Context);
        if (ctx.body === undefined) ctx.body = answer;
      } catch (error) {
        if (error instanceof DingtalkApiError) {
          ctx.status = error.status;
          ctx.body = error.body();
          return;
        }
        if (error instanceof OapiError) {
          ctx.body = error.body();
          return;
        }
        throw error;
      }
    });
  }

  // https://open.dingtalk.com/document/orgapp/obtain-the-access_token-of-an-internal-app
  endpoint('post', '/v1.0/oauth2/accessToken', async (ctx) => {
    const body = await jsonBody(ctx, 'new');
    const app = state.appByCredentials(body.appKey, body.appSecret);
    if (!app) throw newApiErrors.invalidClient();
    const { token, expiresInSeconds } = state.issueToken(app.appKey);
    return { accessToken: token, expireIn: expiresInSeconds };
  });

  // https://open.dingtalk.com/document/orgapp/obtain-orgapp-token (old API, still used by dingtalk-stream's getAccessToken)
  endpoint('get', '/gettoken', (ctx) => {
    const appKey = queryParam(ctx, 'appkey');
    if (!appKey) throw new OapiError(oapiErrcodes.missingParameter, 'corpid or appkey');
    const app = state.appByCredentials(appKey, queryParam(ctx, 'appsecret'));
    if (!app) throw new OapiError(oapiErrcodes.invalidAppKeyOrSecret);
    const { token, expiresInSeconds } = state.issueToken(app.appKey);
    return { errcode: 0, access_token: token, errmsg: 'ok', expires_in: expiresInSeconds };
  });

  // Stream mode: https://open.dingtalk.com/document/direct-connection/stream-protocol
  endpoint('post', '/v1.0/gateway/connections/open', async (ctx) => {
    const body = await jsonBody(ctx, 'new');
    const app = state.appByCredentials(body.clientId, body.clientSecret);
    if (!app) throw newApiErrors.invalidClient();
    const subscriptions = Array.isArray(body.subscriptions)
      ? (body.subscriptions as unknown[]).filter(
          (s): s is { type: string; topic: string } => typeof (s as { type?: unknown })?.type === 'string' && typeof (s as { topic?: unknown })?.topic === 'string',
        )
      : [];
    const opened = gateway.open(app.appKey, subscriptions);
    if (opened === 'failed') throw new DingtalkApiError(500, 'unknownError', '未知错误');
    // Without `Accept: application/json` the gateway answers XML (the SDK's own comment: "否则默认返回的会是xml").
    if (!(ctx.get('accept') ?? '').includes('application/json')) {
      ctx.type = 'application/xml';
      ctx.body = `<OpenConnectionResponse><endpoint>${opened.endpoint}</endpoint><ticket>${opened.ticket}</ticket></OpenConnectionResponse>`;
      return {};
    }
    return opened;
  });

  const appOf = (ctx: Context) => state.checkToken(ctx.get('x-acs-dingtalk-access-token') || undefined);

  endpoint('post', '/v1.0/robot/groupMessages/send', async (ctx) => {
    const app = appOf(ctx);
    return sendGroupMessage(state, app, await jsonBody(ctx, 'new'));
  });

  endpoint('post', '/v1.0/robot/oToMessages/batchSend', async (ctx) => {
    const app = appOf(ctx);
    return batchSendOto(state, app, await jsonBody(ctx, 'new'));
  });

  // Interactive cards (src/dingtalk/cards.ts).
  endpoint('post', '/v1.0/card/instances/createAndDeliver', async (ctx) => {
    const app = appOf(ctx);
    return createAndDeliverCard(state, app, await jsonBody(ctx, 'new'));
  });

  endpoint('put', '/v1.0/card/instances', async (ctx) => {
    const app = appOf(ctx);
    return updateCard(state, app, await jsonBody(ctx, 'new'));
  });

  // Media upload (old API: token in the query, errcodes with HTTP 200), multipart field `media`.
  endpoint('post', '/media/upload', async (ctx) => {
    let app;
    try {
      app = state.checkToken(queryParam(ctx, 'access_token') || undefined);
    } catch {
      throw new OapiError(40014);
    }
    const raw = await readRawBody(ctx.req, maxImageBytes + 64 * 1024);
    if (raw === 'too_large') throw new OapiError(40006);
    let media: { bytes: Buffer; filename: string; contentType: string } | undefined;
    try {
      const form = await new Response(raw, { headers: { 'content-type': ctx.get('content-type') } }).formData();
      const part = form.get('media');
      if (part && typeof part !== 'string') media = { bytes: Buffer.from(await part.arrayBuffer()), filename: part.name, contentType: part.type };
    } catch {
      media = undefined; // not multipart/form-data: no media part
    }
    return uploadMedia(state, app, queryParam(ctx, 'type'), media);
  });

  endpoint('post', '/robot/send', async (ctx) => {
    const query = {
      ...(queryParam(ctx, 'access_token') === undefined ? {} : { accessToken: queryParam(ctx, 'access_token') }),
      ...(queryParam(ctx, 'timestamp') === undefined ? {} : { timestamp: queryParam(ctx, 'timestamp') }),
      ...(queryParam(ctx, 'sign') === undefined ? {} : { sign: queryParam(ctx, 'sign') }),
    };
    sendWebhook(state, query, await jsonBody(ctx, 'oapi'));
    return { errcode: 0, errmsg: 'ok' };
  });

  endpoint('post', '/robot/sendBySession', async (ctx) => {
    sendBySession(state, queryParam(ctx, 'session'), await jsonBody(ctx, 'oapi'));
    return { errcode: 0, errmsg: 'ok' };
  });

  return router;
}
