import type { PlatformApp } from '../../features/platform';
import type { Logger } from '../../observability/logger';
import { SendFailedError, type OutboundMessage, type OutboundSender } from '../../ports/outbound-sender';
import { resolveSecretRef, SecretUnavailableError } from '../platform/secret-ref';
import type { TokenCache } from '../postgres/token-cache';
import { createWecomApi, WecomApiError, type WecomApi } from './api-client';

/** All recipients invalid: the message can never be delivered as addressed. */
const allRecipientsInvalid = 81013;

/**
 * Sends outbox rows of channel `wecom_app` as WeCom application messages. `enable_duplicate_check` makes a resend
 * of the identical body (after a crash between WeCom's answer and our commit) a no-op for 30 minutes, so a
 * message reaches its reader once.
 * https://developer.work.weixin.qq.com/document/path/90236
 */
export function wecomAppMessageSender(deps: {
  findApp(tenantId: string): Promise<PlatformApp | undefined>;
  env: Readonly<Record<string, string | undefined>>;
  tokens: TokenCache;
  log: Logger;
  fetch?: typeof fetch;
  sleep?: (ms: number) => Promise<void>;
}): OutboundSender {
  const clients = new Map<string, WecomApi>();

  function clientFor(app: PlatformApp): WecomApi {
    let client = clients.get(app.id);
    if (!client) {
      client = createWecomApi({
        credentials: {
          appId: app.id,
          corpId: app.corpId,
          secret: resolveSecretRef(app.secretRef, { env: deps.env, demoAllowed: app.tenantIsDemo }),
          baseUrl: app.apiBaseUrl,
        },
        tokens: deps.tokens,
        log: deps.log,
        ...(deps.fetch && { fetch: deps.fetch }),
        ...(deps.sleep && { sleep: deps.sleep }),
      });
      clients.set(app.id, client);
    }
    return client;
  }

  return {
    async send(message: OutboundMessage) {
      const app = await deps.findApp(message.tenantId);
      if (!app?.agentId) throw new SendFailedError('tenant has no WeCom app configured', false, 'no_app');
      let client: WecomApi;
      try {
        client = clientFor(app);
      } catch (error) {
        if (error instanceof SecretUnavailableError) throw new SendFailedError(error.message, false, 'no_secret');
        throw error;
      }
      try {
        const answer = await client.post<{ msgid?: string; invaliduser?: string; response_code?: string }>('/cgi-bin/message/send', {
          ...message.payload,
          touser: message.recipient,
          agentid: Number(app.agentId),
          enable_duplicate_check: 1,
          duplicate_check_interval: 1800,
        });
        const invalid = (answer.invaliduser ?? '').split('|').filter(Boolean);
        if (invalid.includes(message.recipient.toLowerCase())) {
          throw new SendFailedError(`recipient ${message.recipient} is not a member of the app`, false, 'invalid_user');
        }
        return { receipt: { msgid: answer.msgid ?? null, ...(answer.response_code && { responseCode: answer.response_code }) } };
      } catch (error) {
        if (error instanceof WecomApiError) {
          throw new SendFailedError(error.message, error.retryable && error.errcode !== allRecipientsInvalid, String(error.errcode));
        }
        throw error;
      }
    },
  };
}
