import type Router from '@koa/router';
import getRawBody from 'raw-body';
import { z } from 'zod';
import { CallbackRejectedError, parseRawQuery } from '../../adapters/wecom/callback-crypto';
import { callbackCryptoFor, openAppCallback, signedQueryOf } from '../../adapters/wecom/inbound';
import { XmlRejectedError } from '../../adapters/wecom/xml';
import { SecretUnavailableError } from '../../adapters/platform/secret-ref';
import { AppError } from '../../domain/errors';
import type { FeatureContext } from '../../features/context';
import { acceptInboundEvent } from '../../features/inbox';
import { findPlatformApp } from '../../features/platform';
import type { Logger } from '../../observability/logger';
import type { RequestState } from '../middleware/request-context';

/** WeCom posts small XML envelopes; anything larger is not a callback. */
const callbackBodyLimitBytes = 64 * 1024;

const rejected = () => new AppError('CALLBACK_REJECTED', '回调校验失败。Callback verification failed.');

/**
 * WeCom self-built app callbacks. GET is the URL check (answer the bare plaintext, within 1 s); POST is a message or
 * event: verified, decrypted, stored in the inbox, then answered 200 with an empty body. Work happens later from
 * the inbox, so the 5 s deadline is never at risk; if the database cannot store the event the answer is not 200
 * and WeCom retries. Everything is refused before any write when it does not verify.
 * https://developer.work.weixin.qq.com/document/path/90930
 */
export function mountWecomCallbacks(
  router: Router<RequestState>,
  deps: { features: FeatureContext; env: Readonly<Record<string, string | undefined>>; log: Logger },
) {
  const appIdOf = (raw: string | undefined) => {
    const parsed = z.uuid().safeParse(raw);
    if (!parsed.success) throw new AppError('NOT_FOUND', '找不到该回调地址。No such callback.');
    return parsed.data;
  };
  const loadApp = async (rawId: string | undefined) => {
    const app = await findPlatformApp(deps.features, appIdOf(rawId));
    // 微信客服 posts its kf_msg_or_event doorbell with the same crypto and XML (its own callback URL and keys).
    if (!app || (app.kind !== 'wecom_app' && app.kind !== 'wecom_kf')) throw new AppError('NOT_FOUND', '找不到该回调地址。No such callback.');
    try {
      return { app, crypto: callbackCryptoFor(app, { env: deps.env, clock: deps.features.clock }) };
    } catch (error) {
      if (error instanceof SecretUnavailableError || error instanceof CallbackRejectedError) {
        deps.log.error({ appId: app.id, reason: error.message }, 'WeCom callback cannot be verified: app is misconfigured');
        throw rejected();
      }
      throw error;
    }
  };
  const rejectWith = (error: unknown, appId: string): never => {
    if (error instanceof CallbackRejectedError || error instanceof XmlRejectedError) {
      deps.log.warn({ appId, reason: error.message }, 'WeCom callback rejected');
      throw rejected();
    }
    throw error;
  };

  router.get('/callbacks/wecom/:appId', async (ctx) => {
    const { app, crypto } = await loadApp(ctx.params.appId);
    const query = signedQueryOf(parseRawQuery(ctx.querystring));
    let plaintext: string;
    try {
      plaintext = crypto.verifyUrl({ ...query, echostr: query.echostr ?? '' });
    } catch (error) {
      return rejectWith(error, app.id);
    }
    ctx.type = 'text/plain';
    ctx.body = plaintext;
  });

  router.post('/callbacks/wecom/:appId', async (ctx) => {
    const declared = ctx.request.length;
    if (declared !== undefined && declared > callbackBodyLimitBytes) {
      throw new AppError('PAYLOAD_TOO_LARGE', '回调请求体过大。Callback body too large.');
    }
    let body: string;
    try {
      body = await getRawBody(ctx.req, { limit: callbackBodyLimitBytes, length: declared, encoding: 'utf8' });
    } catch (error) {
      if ((error as { type?: string }).type === 'entity.too.large') throw new AppError('PAYLOAD_TOO_LARGE', '回调请求体过大。Callback body too large.');
      throw new AppError('INVALID_JSON', '回调请求体无法读取。The body could not be read.');
    }
    const { app, crypto } = await loadApp(ctx.params.appId);
    let event;
    try {
      event = openAppCallback(app, crypto, signedQueryOf(parseRawQuery(ctx.querystring)), body);
    } catch (error) {
      return rejectWith(error, app.id);
    }
    const { inserted } = await acceptInboundEvent(deps.features, event);
    if (!inserted) deps.log.info({ appId: app.id, kind: event.kind }, 'duplicate WeCom callback acknowledged');
    ctx.status = 200;
    ctx.body = '';
  });
}
