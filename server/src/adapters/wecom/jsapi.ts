import { randomBytes } from 'node:crypto';
import { getJsApiSignature } from '@wecom/crypto';
import type { Clock } from '../../ports/clock';
import type { JsapiSignatures, JsapiSigner } from '../../ports/jsapi-signer';
import type { TokenCache } from '../postgres/token-cache';
import { WecomApiError, type WecomApi } from './api-client';

/**
 * Signatures for H5 pages inside WeCom. `wx.config` is signed with the corp's jsapi_ticket, `wx.agentConfig` with
 * the app's agent_config ticket; both live 7200 s and may be fetched only 400/h per corp and 100/h per app, so
 * they are cached cluster-wide like tokens — under separate keys, because a swapped ticket fails in the client.
 * https://developer.work.weixin.qq.com/document/path/96909 (JS-SDK 使用权限签名算法)
 */
export function createJsapiSigner(deps: {
  api: WecomApi;
  tokens: TokenCache;
  app: { readonly id: string; readonly corpId: string; readonly agentId: string };
  clock: Clock;
}): JsapiSigner {
  const ticket = async (path: string, query: Record<string, string>) => {
    const answer = await deps.api.get<{ ticket?: string; expires_in?: number }>(path, query);
    if (typeof answer.ticket !== 'string') throw new WecomApiError(path, -1, 'no ticket in the answer', true);
    return { accessToken: answer.ticket, expiresInSeconds: Number(answer.expires_in ?? 7200) };
  };
  const corpTicket = () => deps.tokens.current(deps.app.id, () => ticket('/cgi-bin/get_jsapi_ticket', {}), 'jsapi_corp');
  const agentTicket = () => deps.tokens.current(deps.app.id, () => ticket('/cgi-bin/ticket/get', { type: 'agent_config' }), 'jsapi_agent');

  return {
    /** Signs the page URL the client shows (without its #fragment; not URL-encoded). */
    async sign(pageUrl: string): Promise<JsapiSignatures> {
      const url = pageUrl.split('#')[0]!;
      const timestamp = Math.floor(deps.clock.now().getTime() / 1000);
      const [corp, agent] = await Promise.all([corpTicket(), agentTicket()]);
      const signWith = (t: string) => {
        const nonceStr = randomBytes(12).toString('base64url');
        const { signature } = getJsApiSignature({ url, ticket: t, nonceStr, timestamp });
        return { timestamp, nonceStr, signature };
      };
      return {
        config: { appId: deps.app.corpId, ...signWith(corp) },
        agentConfig: { corpid: deps.app.corpId, agentid: deps.app.agentId, ...signWith(agent) },
      };
    },
  };
}
