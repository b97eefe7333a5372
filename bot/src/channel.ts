import type { Mention } from './commands';

/**
 * The bot's neutral interface to chat platforms. The server's platform layer (WeCom 智能机器人 in callback or
 * long-connection mode, the DingTalk robot in stream mode) verifies what arrives and hands the bot these shapes; the
 * replies go back out through the server's GroupNotifier (response_url / session webhook, or a proactive push), which
 * honours each robot's caps. Nothing here knows a vendor's wire format.
 */
export interface InboundMessage {
  readonly platform: 'wecom' | 'dingtalk';
  readonly tenantId: string;
  readonly messageId: string;
  readonly chatType: 'group' | 'single';
  readonly chatId: string;
  /** The platform user id of who wrote it. */
  readonly senderId: string;
  /** Text addressed to the bot, its own @-mention already removed. */
  readonly text: string;
  /** Other people @-mentioned in the message, in order. */
  readonly mentions: readonly Mention[];
}

/** A click on a button of a card the bot sent earlier; `key` is the button's key as the bot wrote it. */
export interface CardClick {
  readonly platform: 'wecom' | 'dingtalk';
  readonly tenantId: string;
  readonly chatType: 'group' | 'single';
  readonly chatId: string;
  readonly senderId: string;
  readonly key: string;
}

export interface CardButton {
  readonly label: string;
  /** Comes back in a CardClick; at most 1024 characters. */
  readonly key: string;
  readonly style?: 'primary' | 'default' | 'danger';
}

export type Reply =
  /** `failed`: this answer reports that the request failed (a card click that failed leaves its card open). */
  | { readonly kind: 'markdown'; readonly content: string; readonly failed?: boolean }
  /**
   * `exclusive`: the buttons are alternatives (one time of several, confirm / decline): the first click acted on
   * successfully closes the card for everyone. Without it every button stays usable (e.g. several 催办).
   */
  | { readonly kind: 'card'; readonly title: string; readonly description: string; readonly buttons: readonly CardButton[]; readonly exclusive?: boolean }
  /** A PNG fetched from the server (e.g. /api/charts/funnel.png); the platform layer uploads it. */
  | { readonly kind: 'image'; readonly png: Uint8Array; readonly alt: string };

/**
 * What the bot answers, in order, into the chat the message came from. Long work (同步, 导出) answers at once with
 * `replies` and finishes later with `followUp`: the platform layer sends `replies` first (WeCom: into the one-shot
 * response_url, which must be used within an hour) and the follow-up's replies when it settles (a proactive push /
 * the DingTalk group or 1:1 message). The follow-up never rejects: a failure becomes its own error reply.
 */
export interface BotAnswer {
  readonly replies: readonly Reply[];
  readonly followUp?: Promise<readonly Reply[]>;
}
