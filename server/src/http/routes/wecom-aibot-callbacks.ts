import type Router from '@koa/router';
import { acknowledgementStream, aibotCryptoFor, openAibotCallback, streamIdFor } from '../../adapters/wecom/aibot/inbound';
import { sealedReply } from '../../adapters/wecom/aibot/envelope';
import { AibotPayloadRejectedError } from '../../adapters/wecom/aibot/payload';
import { parseRawQuery } from '../../adapters/wecom/callback-crypto';
import { signedQueryOf } from '../../adapters/wecom/inbound';
import type { FeatureContext } from '../../features/context';
import { acceptInboundEvent } from '../../features/inbox';
import type { Logger } from '../../observability/logger';
import { loadCallbackApp, readCallbackBody, rejectCallback } from '../middleware/callback-support';
import type { RequestState } from '../middleware/request-context';

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
  const loadApp = (rawId: string | undefined) =>
    loadCallbackApp(deps, rawId, ['wecom_aibot'], (app) => aibotCryptoFor(app, { env: deps.env, clock: deps.features.clock }));

  router.get('/callbacks/wecom-aibot/:appId', async (ctx) => {
    const { app, verifier: crypto } = await loadApp(ctx.params.appId);
    const query = signedQueryOf(parseRawQuery(ctx.querystring));
    let plaintext: string;
    try {
      plaintext = crypto.verifyUrl({ ...query, echostr: query.echostr ?? '' });
    } catch (error) {
      return rejectCallback(deps.log, app.id, error, [AibotPayloadRejectedError]);
    }
    ctx.type = 'text/plain';
    ctx.body = plaintext;
  });

  router.post('/callbacks/wecom-aibot/:appId', async (ctx) => {
    const body = await readCallbackBody(ctx);
    const { app, verifier: crypto } = await loadApp(ctx.params.appId);
    let inbound;
    try {
      inbound = openAibotCallback(app, crypto, signedQueryOf(parseRawQuery(ctx.querystring)), body, deps.features.clock);
    } catch (error) {
      return rejectCallback(deps.log, app.id, error, [AibotPayloadRejectedError]);
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
