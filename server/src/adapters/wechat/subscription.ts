import type { FeatureContext } from '../../features/context';
import type { PlatformApp } from '../../features/platform';
import type { Logger } from '../../observability/logger';
import { SendFailedError, type OutboundMessage, type OutboundSender } from '../../ports/outbound-sender';
import { SecretUnavailableError } from '../platform/secret-ref';
import type { TokenCache } from '../postgres/token-cache';
import { clientCache, createWechatApi, WechatApiError, type WechatApi } from './wechat-api';

/**
 * Mini-program one-time subscription messages: each send consumes one acceptance the candidate gave by tapping
 * 允许 for that template. The balance is kept in the database and taken before the call, so nothing is sent at
 * zero; 43101 means WeChat's count is lower than ours, so ours becomes zero.
 * https://developers.weixin.qq.com/miniprogram/dev/OpenApiDoc/mp-message-management/subscribe-message/sendMessage.html
 */
export interface MiniProgramDeps {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly tokens: TokenCache;
  readonly log: Logger;
  readonly fetch?: typeof fetch;
}

export function miniProgramClients(deps: MiniProgramDeps): (app: PlatformApp) => WechatApi {
  return clientCache((app) => createWechatApi({ app, ...deps }));
}

/** user refuse to accept the msg: no acceptance left for this template. */
const userRefuse = 43101;
/** Our request is wrong (openid, template, data rule, page): retrying the same body cannot help. */
const badRequest = new Set([40003, 40037, 41030, 47001, 47003]);

/**
 * The candidate signed in to the mini-program: wx.login's code → openid (+ unionid), bound to the candidate.
 * https://developers.weixin.qq.com/miniprogram/dev/OpenApiDoc/user-login/code2Session.html
 */
export async function linkMiniProgramLogin(
  ctx: FeatureContext,
  clients: (app: PlatformApp) => WechatApi,
  input: { tenantId: string; candidateId: string; code: string },
): Promise<{ openid: string; unionid: string | null }> {
  const app = await ctx.stores.platform.findAppOfKind(input.tenantId, 'wechat_miniprogram');
  if (!app) throw new Error('tenant has no mini-program connected');
  const session = await clients(app).codeToSession(input.code);
  await ctx.stores.candidateChannels.linkMiniProgramUser(input.tenantId, input.candidateId, { appId: app.id, ...session }, ctx.clock.now());
  return session;
}

/** Channel `subscription`: recipient is the candidate id, payload `{template_id, page?, data}`. */
export function subscriptionSender(deps: MiniProgramDeps & { readonly features: FeatureContext; readonly clients?: (app: PlatformApp) => WechatApi }): OutboundSender {
  const clients = deps.clients ?? miniProgramClients(deps);
  return {
    async send(message: OutboundMessage) {
      const { features } = deps;
      const channels = features.stores.candidateChannels;
      const templateId = message.payload.template_id;
      if (typeof templateId !== 'string') throw new SendFailedError('subscription payload has no template_id', false, 'bad_payload');
      const reservation = await channels.reserveSubscription(message.tenantId, message.recipient, templateId, features.clock.now());
      if (!reservation.ok) throw new SendFailedError(`订阅消息不可用：${reservation.reason}`, false, reservation.reason);
      try {
        const app = await features.stores.platform.findApp(reservation.appId);
        if (!app) throw new SendFailedError('mini-program app is gone', false, 'no_app');
        const answer = await clients(app).post<{ msgid?: number }>('/cgi-bin/message/subscribe/send', {
          ...message.payload,
          touser: reservation.openid,
          lang: 'zh_CN',
        });
        return { receipt: { channel: 'subscription', msgid: answer.msgid ?? null, templateId } };
      } catch (error) {
        if (error instanceof WechatApiError && error.errcode === userRefuse) {
          await channels.zeroSubscription(message.tenantId, message.recipient, templateId);
          throw new SendFailedError(error.message, false, String(error.errcode));
        }
        // Anything else did not use up the acceptance on WeChat's side: give it back.
        await channels.releaseSubscription(message.tenantId, message.recipient, templateId);
        if (error instanceof WechatApiError) throw new SendFailedError(error.message, error.retryable && !badRequest.has(error.errcode), String(error.errcode));
        if (error instanceof SecretUnavailableError) throw new SendFailedError(error.message, false, 'no_secret');
        throw error;
      }
    },
  };
}
