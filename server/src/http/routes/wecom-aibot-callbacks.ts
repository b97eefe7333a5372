import type Router from '@koa/router';
import getRawBody from 'raw-body';
import { z } from 'zod';
import { acknowledgementStream, aibotCryptoFor, openAibotCallback, streamIdFor } from '../../adapters/wecom/aibot/inbound';
import { sealedReply } from '../../adapters/wecom/aibot/envelope';
import { AibotPayloadRejectedError } from '../../adapters/wecom/aibot/payload';
import { CallbackRejectedError, parseRawQuery } from '../../adapters/wecom/callback-crypto';
import { signedQueryOf } from '../../adapters/wecom/inbound';
import { SecretUnavailableError } from '../../adapters/platform/secret-ref';
import { AppError } from '../../domain/errors';
import type { FeatureContext } from '../../features/context';
import { acceptInboundEvent } from '../../features/inbox';
import { findPlatformApp } from '../../features/platform';
import type { Logger } from '../../observability/logger';
import type { RequestState } from '../middleware/request-context';

/** An AI-bot callback is a small JSON envelope; anything larger is not one. */
const callbackBodyLimitBytes = 64 * 1024;

const rejected = () => new AppError('CALLBACK_REJECTED', '回调校验失败。Callback verification failed.');
const notFound = () => new AppError('NOT_FOUND', '找不到该回调地址。No such callback.');

/**
 * WeCom AI bot (智能机器人) callbacks, API mode. GET is the URL check (bare plaintext within 1 s). POST is a message,
 * a stream refresh or an event, as encrypted JSON: verified, decrypted and parsed, stored in the inbox (messages
 * and events, keyed by msgid), then answered at once — a message with an encrypted stream that acknowledges it and
 * finishes, so no refresh callbacks follow; the real answer goes later through the message's response_url or a
 * proactive push, from the outbox. Nothing is written for a callback that does not verify or parse. If the inbox
 * cannot store the message the answer is not 200 and WeCom retries.
 * https://developer.work.weixin.qq.com/document/path/100719 , 101031
 */
export function mountWecomAibotCallbacks(
  router: Router<RequestState>,
  deps: { features: FeatureContext; env: Readonly<Record<string, string | undefined>>; log: Logger },
) {
  const loadApp = async (rawId: string | undefined) => {
    const id = z.uuid().safeParse(rawId);
    if (!id.success) throw notFound();
    const app = await findPlatformApp(deps.features, id.data);
    if (!app || app.kind !== 'wecom_aibot') throw notFound();
    try {
      return { app, crypto: aibotCryptoFor(app, { env: deps.env, clock: deps.features.clock }) };
    } catch (error) {
      if (error instanceof SecretUnavailableError || error instanceof CallbackRejectedError) {
        deps.log.error({ appId: app.id, reason: error.message }, 'WeCom AI-bot callback cannot be verified: app is misconfigured');
        throw rejected();
      }
      throw error;
    }
  };
  const rejectWith = (error: unknown, appId: string): never => {
    if (error instanceof CallbackRejectedError || error instanceof AibotPayloadRejectedError) {
      deps.log.warn({ appId, reason: error.message }, 'WeCom AI-bot callback rejected');
      throw rejected();
    }
    throw error;
  };

  router.get('/callbacks/wecom-aibot/:appId', async (ctx) => {
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

  router.post('/callbacks/wecom-aibot/:appId', async (ctx) => {
    const declared = ctx.request.length;
    if (declared !== undefined && declared > callbackBodyLimitBytes) throw new AppError('PAYLOAD_TOO_LARGE', '回调请求体过大。Callback body too large.');
    let body: string;
    try {
      body = await getRawBody(ctx.req, { limit: callbackBodyLimitBytes, length: declared, encoding: 'utf8' });
    } catch (error) {
      if ((error as { type?: string }).type === 'entity.too.large') throw new AppError('PAYLOAD_TOO_LARGE', '回调请求体过大。Callback body too large.');
      throw new AppError('INVALID_JSON', '回调请求体无法读取。The body could not be read.');
    }
    const { app, crypto } = await loadApp(ctx.params.appId);
    let inbound;
    try {
      inbound = openAibotCallback(app, crypto, signedQueryOf(parseRawQuery(ctx.querystring)), body, deps.features.clock);
    } catch (error) {
      return rejectWith(error, app.id);
    }
    ctx.status = 200;
    if (inbound.type === 'stream_refresh') {
      // Our streams finish in the first answer; a refresh can only follow a lost answer. Close the stream again.
      ctx.type = 'application/json';
      ctx.body = sealedReply(crypto, acknowledgementStream(inbound.streamId));
      return;
    }
    const { inserted } = await acceptInboundEvent(deps.features, inbound.event);
    if (!inserted) deps.log.info({ appId: app.id, kind: inbound.event.kind }, 'duplicate WeCom AI-bot callback acknowledged');
    if (inbound.type === 'event') {
      ctx.body = '';
      return;
    }
    ctx.type = 'application/json';
    ctx.body = sealedReply(crypto, acknowledgementStream(streamIdFor(inbound.message.messageId)));
  });
}
