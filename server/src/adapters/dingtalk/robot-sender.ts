import type { GroupMessage } from '../../ports/group-notifier';
import { renderDingtalkRobotTemplate } from './render-group-message';
import type { PlatformApp } from '../../features/platform';
import type { Logger } from '../../observability/logger';
import { SendFailedError, type OutboundMessage, type OutboundSender } from '../../ports/outbound-sender';
import { SecretUnavailableError } from '../platform/secret-ref';
import type { TokenCache } from '../postgres/token-cache';
import { createDingtalkApi, DingtalkApiError, type DingtalkApi } from './api-client';
import { DingtalkAppMisconfiguredError, dingtalkCredentialsOf } from './app-identity';

/**
 * Outbox rows of channels `dingtalk_group` (recipient = openConversationId) and `dingtalk_oto` (recipient = userId),
 * sent by the app's robot. Row payload: `{msgKey: "sampleText" | "sampleMarkdown" | …, msgParam: {…}}`; msgParam is
 * serialised here because DingTalk wants a JSON *string* and refuses an object.
 * - group: https://open.dingtalk.com/document/orgapp/the-robot-sends-a-group-message
 * - 1:1:   https://open.dingtalk.com/document/orgapp/chatbots-send-one-on-one-chat-messages-in-batches
 * batchSend answers 200 even when nobody was reached: a user in `flowControlledStaffIdList` was throttled (retry
 * later), one in `invalidStaffIdList` is not reachable by this robot (no point retrying).
 */
export const dingtalkRobotChannels = ['dingtalk_group', 'dingtalk_oto'] as const;

function templateOf(payload: Record<string, unknown>): { msgKey: string; msgParam: string } {
  // A neutral message (GroupNotifier, ChatNotifier's DingTalk path) is rendered here; otherwise the row is DingTalk-shaped.
  if (payload.message !== undefined && payload.msgKey === undefined) {
    const rendered = renderDingtalkRobotTemplate(payload.message as GroupMessage);
    return { msgKey: rendered.msgKey, msgParam: JSON.stringify(rendered.msgParam) };
  }
  const { msgKey, msgParam } = payload;
  if (typeof msgKey !== 'string' || msgKey.length === 0) throw new SendFailedError('payload has no msgKey', false, 'bad_payload');
  if (typeof msgParam === 'string') return { msgKey, msgParam };
  if (typeof msgParam !== 'object' || msgParam === null) throw new SendFailedError('payload has no msgParam object', false, 'bad_payload');
  return { msgKey, msgParam: JSON.stringify(msgParam) };
}

export function dingtalkRobotSender(deps: {
  findApp(tenantId: string): Promise<PlatformApp | undefined>;
  env: Readonly<Record<string, string | undefined>>;
  tokens: TokenCache;
  log: Logger;
  fetch?: typeof fetch;
  sleep?: (ms: number) => Promise<void>;
}): OutboundSender {
  const clients = new Map<string, { api: DingtalkApi; robotCode: string }>();

  function clientFor(app: PlatformApp) {
    let client = clients.get(app.id);
    if (!client) {
      const credentials = dingtalkCredentialsOf(app, deps.env);
      const api = createDingtalkApi({
        credentials,
        tokens: deps.tokens,
        log: deps.log,
        ...(deps.fetch && { fetch: deps.fetch }),
        ...(deps.sleep && { sleep: deps.sleep }),
      });
      client = { api, robotCode: credentials.robotCode };
      clients.set(app.id, client);
    }
    return client;
  }

  return {
    async send(message: OutboundMessage) {
      const app = await deps.findApp(message.tenantId);
      if (!app) throw new SendFailedError('tenant has no DingTalk app configured', false, 'no_app');
      let client;
      try {
        client = clientFor(app);
      } catch (error) {
        if (error instanceof SecretUnavailableError) throw new SendFailedError(error.message, false, 'no_secret');
        if (error instanceof DingtalkAppMisconfiguredError) throw new SendFailedError(error.message, false, 'no_app');
        throw error;
      }
      const { msgKey, msgParam } = templateOf(message.payload);
      try {
        if (message.channel === 'dingtalk_group') {
          const answer = await client.api.post<{ processQueryKey?: string }>('/v1.0/robot/groupMessages/send', {
            robotCode: client.robotCode,
            openConversationId: message.recipient,
            msgKey,
            msgParam,
          });
          return { receipt: { processQueryKey: answer.processQueryKey ?? null } };
        }
        if (message.channel === 'dingtalk_oto') {
          const answer = await client.api.post<{ processQueryKey?: string; invalidStaffIdList?: string[]; flowControlledStaffIdList?: string[] }>(
            '/v1.0/robot/oToMessages/batchSend',
            { robotCode: client.robotCode, userIds: [message.recipient], msgKey, msgParam },
          );
          if (answer.invalidStaffIdList?.includes(message.recipient)) {
            throw new SendFailedError(`user ${message.recipient} cannot be reached by this robot`, false, 'invalid_user');
          }
          if (answer.flowControlledStaffIdList?.includes(message.recipient)) {
            throw new SendFailedError(`user ${message.recipient} is flow-controlled by DingTalk`, true, 'flow_controlled');
          }
          return { receipt: { processQueryKey: answer.processQueryKey ?? null } };
        }
        throw new SendFailedError(`channel ${message.channel} is not a DingTalk robot channel`, false, 'bad_channel');
      } catch (error) {
        if (error instanceof DingtalkApiError) throw new SendFailedError(error.message, error.retryable, error.code);
        throw error;
      }
    },
  };
}
