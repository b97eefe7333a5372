import type Router from '@koa/router';
import { parseRawQuery } from '../../adapters/wecom/callback-crypto';
import { callbackCryptoFor, openAppCallback, signedQueryOf } from '../../adapters/wecom/inbound';
import { XmlRejectedError } from '../../adapters/wecom/xml';
import type { FeatureContext } from '../../features/context';
import { acceptInboundEvent } from '../../features/inbox';
import type { Logger } from '../../observability/logger';
import { loadCallbackApp, readCallbackBody, rejectCallback } from '../middleware/callback-support';
import type { RequestState } from '../middleware/request-context';

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
  // 微信客服 (kind wecom_kf) rings the same kind of callback: its kf_msg_or_event is a doorbell handled from the inbox.
  const loadApp = (rawId: string | undefined) =>
    loadCallbackApp(deps, rawId, ['wecom_app', 'wecom_kf'], (app) => callbackCryptoFor(app, { env: deps.env, clock: deps.features.clock }));

  router.get('/callbacks/wecom/:appId', async (ctx) => {
    const { app, verifier: crypto } = await loadApp(ctx.params.appId);
    const query = signedQueryOf(parseRawQuery(ctx.querystring));
    let plaintext: string;
    try {
      plaintext = crypto.verifyUrl({ ...query, echostr: query.echostr ?? '' });
    } catch (error) {
      return rejectCallback(deps.log, app.id, error, [XmlRejectedError]);
    }
    ctx.type = 'text/plain';
    ctx.body = plaintext;
  });

  router.post('/callbacks/wecom/:appId', async (ctx) => {
    const body = await readCallbackBody(ctx);
    const { app, verifier: crypto } = await loadApp(ctx.params.appId);
    let event;
    try {
      event = openAppCallback(app, crypto, signedQueryOf(parseRawQuery(ctx.querystring)), body);
    } catch (error) {
      return rejectCallback(deps.log, app.id, error, [XmlRejectedError]);
    }
    const { inserted } = await acceptInboundEvent(deps.features, event);
    if (!inserted) deps.log.info({ appId: app.id, kind: event.kind }, 'duplicate WeCom callback acknowledged');
    ctx.status = 200;
    ctx.body = '';
  });
}
