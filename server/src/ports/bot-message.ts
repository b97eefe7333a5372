import type { GroupTarget } from './group-notifier';

/**
 * A message someone wrote to the HR bot, in a group (by @-mentioning it) or 1:1, whatever the platform and however
 * it arrived (HTTP callback or long connection). Stored in the inbox as the payload of kind `bot.message`; the
 * command layer reads only this shape.
 */
export interface BotMessage {
  readonly platform: 'wecom' | 'dingtalk';
  /** The platform's id of the message: a retry or replay carries the same one. */
  readonly messageId: string;
  readonly botId: string;
  readonly chatType: 'group' | 'single';
  /** The group's chat id; for a 1:1 chat the sender's user id (what a proactive push addresses). */
  readonly chatId: string;
  readonly senderUserId: string;
  /** The text with the leading "@Bot" mention removed and outer whitespace trimmed; "" for non-text messages. */
  readonly text: string;
  /** The platform's message type (text, mixed, voice, image, file, …). */
  readonly msgtype: string;
  /** Where the answer goes: the one-shot reply URL while it is valid, else a proactive push. */
  readonly reply: Extract<GroupTarget, { channel: 'wecom_aibot_reply' | 'wecom_aibot_push' }>;
  /** The proactive target, usable after the reply handle expired or was used. */
  readonly push: Extract<GroupTarget, { channel: 'wecom_aibot_push' }>;
  readonly via: 'callback' | 'long_connection';
  readonly receivedAt: string;
}

/** Inbox kinds: every bot message is `bot.message`; events are `bot.event.<type>` (enter_chat, template_card_event, …). */
export const botMessageKind = 'bot.message';
export const botEventKind = (eventType: string) => `bot.event.${eventType}`;
