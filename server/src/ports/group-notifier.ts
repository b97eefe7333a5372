/**
 * Posting into a group chat (or a bot's 1:1 chat), whatever the platform. Features describe the message and where
 * it goes; the outbox carries it and a per-channel sender renders it for the vendor, so a feature never knows a
 * webhook key, a response_url's rules or a WebSocket.
 */
export type GroupMessage =
  | { readonly kind: 'text'; readonly content: string; readonly mentionUserIds?: readonly string[] }
  | { readonly kind: 'markdown'; readonly content: string }
  | { readonly kind: 'notice_card'; readonly title: string; readonly description?: string; readonly url?: string }
  /**
   * A card with buttons. A click comes back through the platform layer as a card action carrying the button's `key`
   * (≤ 1024 bytes) and the card's `cardId` (letters, digits, `_-@`, ≤ 128: WeCom's task_id). Where a channel cannot
   * carry clickable buttons (webhook robots) the buttons are listed as text. `exclusive`: the buttons are alternatives
   * (pick one time, confirm or decline), so once one click was acted on successfully the card is closed for everyone
   * (DingTalk: the card is updated); otherwise each button stays usable on its own (e.g. several 催办).
   */
  | { readonly kind: 'button_card'; readonly cardId: string; readonly title: string; readonly description: string; readonly buttons: readonly GroupButton[]; readonly exclusive?: boolean }
  /** A PNG (base64, ≤ 2 MB decoded) with a one-line description; channels that cannot carry images show the description. */
  | { readonly kind: 'image'; readonly pngBase64: string; readonly alt: string };

export interface GroupButton {
  readonly label: string;
  readonly key: string;
  readonly style?: 'primary' | 'default' | 'danger';
}

/** The caps every renderer applies: WeCom's template card (≤ 6 buttons) and robot image (≤ 2 MB) limits. */
export const groupMessageCaps = { maxButtons: 6, maxButtonKeyBytes: 1024, maxImageBytes: 2 * 1024 * 1024 } as const;

/** The text form of a button card, for channels without buttons (the labels, and how to answer without clicking). */
export function buttonCardAsText(message: Extract<GroupMessage, { kind: 'button_card' }>): string {
  const options = message.buttons.length > 0 ? `\n\n可选：${message.buttons.map((b) => b.label).join(' ／ ')}（请带上所选内容重新发送命令）` : '';
  return `**${message.title}**\n${message.description}${options}`;
}

/**
 * Where a group message goes. Each variant is an outbox channel:
 * - `wecom_robot`: a group's webhook robot (群机器人), send-only, at most 20 a minute (paced at 18);
 * - `wecom_aibot_reply`: the one-shot `response_url` of one AI-bot message, valid for an hour, usable once;
 * - `wecom_aibot_push`: a proactive message from the tenant's AI bot to a group chatid or a member's userid;
 * - `dingtalk_group`: the tenant's DingTalk app robot in a group (openConversationId); it cannot @ people;
 * - `dingtalk_robot`: a DingTalk custom webhook robot registered for the tenant, at most 20 a minute (paced at 18);
 * - `dingtalk_oto`: the tenant's DingTalk app robot in its 1:1 chat with one member (userId = staffId); a button card
 *   becomes an interactive card there when the app has a card template, else the text listing.
 */
export type GroupTarget =
  | { readonly channel: 'wecom_robot'; readonly robotId: string }
  | { readonly channel: 'wecom_aibot_reply'; readonly responseUrl: string; readonly expiresAt: string }
  | { readonly channel: 'wecom_aibot_push'; readonly chatId: string }
  | { readonly channel: 'dingtalk_group'; readonly openConversationId: string }
  | { readonly channel: 'dingtalk_robot'; readonly robotId: string }
  | { readonly channel: 'dingtalk_oto'; readonly userId: string };

export type GroupChannel = GroupTarget['channel'];

export const groupChannels: readonly GroupChannel[] = ['wecom_robot', 'wecom_aibot_reply', 'wecom_aibot_push', 'dingtalk_group', 'dingtalk_robot', 'dingtalk_oto'];

export interface GroupNotification {
  readonly tenantId: string;
  readonly target: GroupTarget;
  readonly message: GroupMessage;
  /** Names the logical message: notifying twice with the same key posts once. */
  readonly idempotencyKey: string;
}

export interface GroupNotifier {
  /** Queues the message; it is sent later by the outbox, paced by channel and recipient. */
  notify(notification: GroupNotification): Promise<{ queued: boolean }>;
}

/** How a group target travels in an outbox row: the channel, the recipient the pacing counts by, the payload. */
export function outboxFieldsOf(notification: GroupNotification) {
  const { target, message } = notification;
  switch (target.channel) {
    case 'wecom_robot':
      return { channel: target.channel, recipient: target.robotId, payload: { message } };
    case 'wecom_aibot_reply':
      return { channel: target.channel, recipient: target.responseUrl, payload: { message, expiresAt: target.expiresAt } };
    case 'wecom_aibot_push':
      return { channel: target.channel, recipient: target.chatId, payload: { message } };
    case 'dingtalk_group':
      return { channel: target.channel, recipient: target.openConversationId, payload: { message } };
    case 'dingtalk_robot':
      return { channel: target.channel, recipient: target.robotId, payload: { message } };
    case 'dingtalk_oto':
      return { channel: target.channel, recipient: target.userId, payload: { message } };
  }
}
