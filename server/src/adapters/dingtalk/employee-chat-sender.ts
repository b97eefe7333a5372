import type { ChatMessage } from '../../domain/chat-message';
import type { PlatformApp } from '../../features/platform';
import type { Logger } from '../../observability/logger';
import { SendFailedError, type OutboundSender } from '../../ports/outbound-sender';
import type { TokenCache } from '../postgres/token-cache';
import { renderDingtalkMessage } from './render-chat-message';
import { dingtalkRobotSender } from './robot-sender';

/**
 * The neutral employee channels on DingTalk: `employee_chat` renders the ChatMessage as a robot template and sends it
 * 1:1 through the app robot (the `dingtalk_oto` path: msgParam as a JSON string, flow control retried, unreachable
 * users not). Compose with wecomSenders by the tenant's platform.
 *
 * `employee_card_update` has nothing to update on DingTalk: a robot 1:1 message has no response_code and no update
 * API (only recall, /v1.0/robot/otoMessages/batchRecall), and its buttons are links to HireBridge pages that show
 * the outcome themselves (render-chat-message.ts). A row on that channel is refused as not retryable with code
 * `unsupported_on_dingtalk` instead of sending a follow-up that would repeat what the page already said.
 */
export function dingtalkEmployeeChatSenders(deps: {
  findApp(tenantId: string): Promise<PlatformApp | undefined>;
  env: Readonly<Record<string, string | undefined>>;
  tokens: TokenCache;
  log: Logger;
  /** HireBridge's public base URL: card buttons lead to pages under it. */
  publicUrl: string;
  fetch?: typeof fetch;
  sleep?: (ms: number) => Promise<void>;
}): { employee_chat: OutboundSender; employee_card_update: OutboundSender } {
  const robot = dingtalkRobotSender(deps);
  return {
    employee_chat: {
      async send(message) {
        const chat = message.payload.message as ChatMessage | undefined;
        if (!chat || typeof chat !== 'object' || typeof chat.kind !== 'string') {
          throw new SendFailedError('payload has no chat message', false, 'bad_payload');
        }
        const { msgKey, msgParam } = renderDingtalkMessage(chat, { publicUrl: deps.publicUrl });
        return robot.send({ ...message, channel: 'dingtalk_oto', payload: { msgKey, msgParam } });
      },
    },
    employee_card_update: {
      send() {
        return Promise.reject(
          new SendFailedError(
            '钉钉机器人单聊消息不能更新：卡片按钮是链接，结果显示在打开的页面上。A DingTalk robot 1:1 message cannot be updated; its buttons are links whose page shows the outcome.',
            false,
            'unsupported_on_dingtalk',
          ),
        );
      },
    },
  };
}
