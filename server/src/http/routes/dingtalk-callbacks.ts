import type Router from '@koa/router';
import getRawBody from 'raw-body';
import { z } from 'zod';
import { DingtalkAppMisconfiguredError } from '../../adapters/dingtalk/app-identity';
import { dingtalkCallbackCryptoFor, dingtalkSignedQueryOf, openDingtalkCallback, sealedSuccess } from '../../adapters/dingtalk/http-callback';
import { SecretUnavailableError } from '../../adapters/platform/secret-ref';
import { CallbackRejectedError, parseRawQuery } from '../../adapters/wecom/callback-crypto';
import { AppError } from '../../domain/errors';
import type { FeatureContext } from '../../features/context';
import { acceptInboundEvent } from '../../features/inbox';
import { findPlatformApp } from '../../features/platform';
import type { Logger } from '../../observability/logger';
import type { RequestState } from '../middleware/request-context';

/** DingTalk pushes small JSON envelopes; anything larger is not an event. */
const callbackBodyLimitBytes = 64 * 1024;

const notFound = () => new AppError('NOT_FOUND', '找不到该回调地址。No such callback.');
const rejected = () => new AppError('CALLBACK_REJECTED', '回调校验失败。Callback verification failed.');

/**
 * DingTalk HTTP event push for an app that does not use Stream mode: verified (signature, ±300 s on the millisecond
 * timestamp, receive id = AppKey) before anything is written, stored in the inbox, then answered with the encrypted
 * "success". If the database cannot store it the answer is an error and DingTalk pushes again.
 * https://open.dingtalk.com/document/orgapp/configure-event-subcription
 */
export function mountDingtalkCallbacks(
  router: Router<RequestState>,
  deps: { features: FeatureContext; env: Readonly<Record<string, string | undefined>>; log: Logger },
) {
  router.post('/callbacks/dingtalk/:appId', async (ctx) => {
    const declared = ctx.request.length;
    if (declared !== undefined && declared > callbackBodyLimitBytes) throw new AppError('PAYLOAD_TOO_LARGE', '回调请求体过大。Callback body too large.');
    let body: string;
    try {
      body = await getRawBody(ctx.req, { limit: callbackBodyLimitBytes, length: declared, encoding: 'utf8' });
    } catch (error) {
      if ((error as { type?: string }).type === 'entity.too.large') throw new AppError('PAYLOAD_TOO_LARGE', '回调请求体过大。Callback body too large.');
      throw new AppError('INVALID_JSON', '回调请求体无法读取。The body could not be read.');
    }
    const parsedId = z.uuid().safeParse(ctx.params.appId);
    if (!parsedId.success) throw notFound();
    const app = await findPlatformApp(deps.features, parsedId.data);
    if (!app || app.kind !== 'dingtalk_app') throw notFound();

    let crypto;
    try {
      crypto = dingtalkCallbackCryptoFor(app, { env: deps.env, clock: deps.features.clock });
    } catch (error) {
      if (error instanceof SecretUnavailableError || error instanceof CallbackRejectedError || error instanceof DingtalkAppMisconfiguredError) {
        deps.log.error({ appId: app.id, reason: error.message }, 'DingTalk callback cannot be verified: app is misconfigured');
        throw rejected();
      }
      throw error;
    }
    let opened;
    try {
      opened = openDingtalkCallback(app, crypto, dingtalkSignedQueryOf(parseRawQuery(ctx.querystring)), body);
    } catch (error) {
      if (error instanceof CallbackRejectedError) {
        deps.log.warn({ appId: app.id, reason: error.message }, 'DingTalk callback rejected');
        throw rejected();
      }
      throw error;
    }
    if (opened.type === 'event') {
      const { inserted } = await acceptInboundEvent(deps.features, opened.event);
      if (!inserted) deps.log.info({ appId: app.id, kind: opened.event.kind }, 'duplicate DingTalk callback acknowledged');
    }
    ctx.status = 200;
    ctx.body = sealedSuccess(crypto);
  });
}
