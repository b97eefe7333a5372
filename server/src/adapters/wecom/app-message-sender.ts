import type { PlatformApp } from '../../features/platform';
import type { Logger } from '../../observability/logger';
import { SendFailedError, type OutboundMessage, type OutboundSender } from '../../ports/outbound-sender';
import { resolveSecretRef, SecretUnavailableError } from '../platform/secret-ref';
import type { TokenCache } from '../postgres/token-cache';
import type { ChatCardUpdate, ChatMessage } from '../../domain/chat-message';
import { createWecomApi, WecomApiError, type WecomApi } from './api-client';
import { renderWecomCardUpdate, renderWecomMessage } from './render-chat-message';

/** All recipients invalid: the message can never be delivered as addressed. */
const allRecipientsInvalid = 81013;

/**
 * Senders for the outbox channels WeCom serves: `wecom_app` (a WeCom message body as stored), `employee_chat` (a
 * neutral ChatMessage, rendered here) and `employee_card_update` (greys out a clicked card's button with its
 * single-use response_code). `enable_duplicate_check` makes a resend of the identical body (after a crash between
 * WeCom's answer and our commit) a no-op for 30 minutes, so a message reaches its reader once.
 * https://developer.work.weixin.qq.com/document/path/90236 , https://developer.work.weixin.qq.com/document/path/94945
 */
export function wecomSenders(deps: {
  findApp(tenantId: string): Promise<PlatformApp | undefined>;
  env: Readonly<Record<string, string | undefined>>;
  tokens: TokenCache;
  log: Logger;
  fetch?: typeof fetch;
  sleep?: (ms: number) => Promise<void>;
}): { wecom_app: OutboundSender; employee_chat: OutboundSender; employee_card_update: OutboundSender } {
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

  /** Resolves the tenant's app and client, and turns WeCom's errors into outbox verdicts. */
  async function withApp<T>(message: OutboundMessage, work: (client: WecomApi, agentId: number) => Promise<T>): Promise<T> {
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
      return await work(client, Number(app.agentId));
    } catch (error) {
      if (error instanceof WecomApiError) {
        throw new SendFailedError(error.message, error.retryable && error.errcode !== allRecipientsInvalid, String(error.errcode));
      }
      throw error;
    }
  }

  const sendBody = (message: OutboundMessage, body: Record<string, unknown>) =>
    withApp(message, async (client, agentId) => {
      const answer = await client.post<{ msgid?: string; invaliduser?: string; response_code?: string }>('/cgi-bin/message/send', {
        ...body,
        touser: message.recipient,
        agentid: agentId,
        enable_duplicate_check: 1,
        duplicate_check_interval: 1800,
      });
      const invalid = (answer.invaliduser ?? '').split('|').filter(Boolean);
      if (invalid.includes(message.recipient.toLowerCase())) {
        throw new SendFailedError(`recipient ${message.recipient} is not a member of the app`, false, 'invalid_user');
      }
      return { receipt: { msgid: answer.msgid ?? null, ...(answer.response_code && { responseCode: answer.response_code }) } };
    });

  return {
    wecom_app: { send: (message) => sendBody(message, message.payload) },
    employee_chat: { send: (message) => sendBody(message, renderWecomMessage(message.payload.message as ChatMessage)) },
    employee_card_update: {
      send: (message) =>
        withApp(message, async (client, agentId) => {
          const answer = await client.post<{ invaliduser?: string[] }>(
            '/cgi-bin/message/update_template_card',
            renderWecomCardUpdate(message.payload.update as ChatCardUpdate, agentId),
          );
          return { receipt: { invalidUsers: answer.invaliduser ?? [] } };
        }),
    },
  };
}

/** The `wecom_app` channel alone (a stored WeCom message body). */
export function wecomAppMessageSender(deps: Parameters<typeof wecomSenders>[0]): OutboundSender {
  return wecomSenders(deps).wecom_app;
}
