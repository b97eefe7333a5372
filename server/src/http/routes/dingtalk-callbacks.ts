import type Router from '@koa/router';
import { DingtalkAppMisconfiguredError } from '../../adapters/dingtalk/app-identity';
import { dingtalkCallbackCryptoFor, dingtalkSignedQueryOf, openDingtalkCallback, sealedSuccess } from '../../adapters/dingtalk/http-callback';
import { parseRawQuery } from '../../adapters/wecom/callback-crypto';
import type { FeatureContext } from '../../features/context';
import { acceptInboundEvent } from '../../features/inbox';
import type { Logger } from '../../observability/logger';
import { loadCallbackApp, readCallbackBody, rejectCallback } from '../middleware/callback-support';
import type { RequestState } from '../middleware/request-context';

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
    const body = await readCallbackBody(ctx);
    const { app, verifier: crypto } = await loadCallbackApp(
      deps,
      ctx.params.appId,
      ['dingtalk_app'],
      (found) => dingtalkCallbackCryptoFor(found, { env: deps.env, clock: deps.features.clock }),
      [DingtalkAppMisconfiguredError],
    );
    let opened;
    try {
      opened = openDingtalkCallback(app, crypto, dingtalkSignedQueryOf(parseRawQuery(ctx.querystring)), body);
    } catch (error) {
      return rejectCallback(deps.log, app.id, error, []);
    }
    if (opened.type === 'event') {
      const { inserted } = await acceptInboundEvent(deps.features, opened.event);
      if (!inserted) deps.log.info({ appId: app.id, kind: opened.event.kind }, 'duplicate DingTalk callback acknowledged');
    }
    ctx.status = 200;
    ctx.body = sealedSuccess(crypto);
  });
}
