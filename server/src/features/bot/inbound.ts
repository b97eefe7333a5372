import { createHash } from 'node:crypto';
import type { BotMessage } from '../../ports/bot-message';
import { buttonCardAsText, type GroupMessage, type GroupTarget } from '../../ports/group-notifier';
import type { FeatureContext } from '../context';
import { outboxGroupNotifier } from '../group-chat';
import { originTargetOf, rememberingOrigin } from '../group-chat/origin';
import type { InboxHandler, InboxHandlers } from '../inbox';
import { enqueueMessage } from '../outbox';
import { admitBotSender, tenantZone } from './index';

/**
 * The join between the platform layer and the HR bot (bot/). Inbound: a verified, stored message (WeCom AI bot in
 * callback or long-connection mode, DingTalk robot in stream mode) becomes the bot's neutral shape, and the sender
 * becomes a short-lived 'bot' session so the bot calls the HTTP API as them. Outbound: the bot's replies go through the
 * outbox — the first into the one-shot response_url, the rest as proactive pushes — paced under the robots' caps.
 */
export interface BotMention {
  /** The platform user id when the platform gives one (DingTalk staffId); '' when only the name is known (WeCom). */
  readonly id: string;
  readonly name: string;
}

export interface NeutralInbound {
  readonly platform: 'wecom' | 'dingtalk';
  readonly tenantId: string;
  readonly messageId: string;
  readonly chatType: 'group' | 'single';
  readonly chatId: string;
  readonly senderId: string;
  readonly text: string;
  readonly mentions: readonly BotMention[];
}

export type NeutralReply =
  | { readonly kind: 'markdown'; readonly content: string }
  | { readonly kind: 'card'; readonly title: string; readonly description: string; readonly buttons: readonly { readonly label: string; readonly key: string; readonly style?: 'primary' | 'default' | 'danger' }[] }
  | { readonly kind: 'image'; readonly png: Uint8Array; readonly alt: string };

/** The bot as the server's composition root provides it (bot/ over HTTP with the given session token). */
export interface BotRuntime {
  message(inbound: NeutralInbound, session: { token: string; timeZone: string }): Promise<readonly NeutralReply[]>;
  /** A click on a button of one of the bot's cards (features/group-chat/card-actions.ts). */
  click?(click: NeutralCardClick, session: { token: string; timeZone: string }): Promise<readonly NeutralReply[]>;
}

/** A verified click on a card button: who clicked, in which chat, which key (as the bot wrote it). */
export interface NeutralCardClick {
  readonly platform: 'wecom' | 'dingtalk';
  readonly tenantId: string;
  readonly chatType: 'group' | 'single';
  readonly chatId: string;
  readonly senderId: string;
  readonly key: string;
}

/** A card's id (WeCom task_id: letters, digits, `_-@`, ≤ 128, unique per bot), derived from what it answers. */
export function cardIdFor(idempotencyKey: string): string {
  return `hb_${createHash('sha256').update(idempotencyKey).digest('hex').slice(0, 40)}`;
}

/**
 * The bot's reply as a group message: cards keep their buttons (channels that cannot take clicks list them as
 * text), images travel as base64 PNG (channels that cannot carry images announce them with their description).
 */
export function groupMessageOf(reply: NeutralReply, idempotencyKey = ''): GroupMessage {
  switch (reply.kind) {
    case 'markdown':
      return { kind: 'markdown', content: reply.content };
    case 'card':
      if (reply.buttons.length === 0) return { kind: 'markdown', content: `**${reply.title}**\n${reply.description}` };
      return {
        kind: 'button_card', cardId: cardIdFor(idempotencyKey || `${reply.title}:${reply.buttons.map((b) => b.key).join(',')}`), title: reply.title, description: reply.description,
        buttons: reply.buttons.slice(0, 6).map((b) => ({ label: b.label, key: b.key, ...(b.style ? { style: b.style } : {}) })),
      };
    case 'image':
      return { kind: 'image', pngBase64: Buffer.from(reply.png).toString('base64'), alt: reply.alt };
  }
}

/** Text for channels that take only markdown (DingTalk 1:1): buttons listed, images announced. */
export function markdownOf(message: GroupMessage): string {
  switch (message.kind) {
    case 'text':
    case 'markdown':
      return message.content;
    case 'notice_card':
      return message.description ? `**${message.title}**\n${message.description}` : message.title;
    case 'button_card':
      return buttonCardAsText(message);
    case 'image':
      return `📊 ${message.alt}（图表可在 H5 招聘后台查看）`;
  }
}

/** "@李雷 @韩梅梅" in the text → names, in order (the bot's own mention was taken out by the platform layer). */
export function mentionedNames(text: string): string[] {
  return [...text.matchAll(/@([^\s@]{1,32})/g)].map((m) => m[1]!);
}

async function answer(
  deps: { features: FeatureContext; runtime: BotRuntime },
  ctx: FeatureContext,
  inbound: NeutralInbound,
  targets: { first: Target; rest: Target },
) {
  const sender = await deps.features.transact((stores) => admitBotSender({ ...deps.features, stores, transact: (work) => work(stores) }, {
    tenantId: inbound.tenantId, platformUserId: inbound.senderId, messageId: inbound.messageId, text: inbound.text, chatType: inbound.chatType,
  }));
  const replies: readonly NeutralReply[] = sender.allowed
    ? await rememberingOrigin(deps.features, { tenantId: inbound.tenantId, employeeId: sender.employeeId, origin: originTargetOf(inbound) }, async () =>
        deps.runtime.message(inbound, { token: sender.token, timeZone: await tenantZone(deps.features, inbound.tenantId) }))
    : [{ kind: 'markdown', content: sender.message }];
  let i = 0;
  for (const reply of replies) {
    const target = i === 0 ? targets.first : targets.rest;
    const key = `bot:${inbound.platform}:${inbound.messageId}:${i}`;
    await target(ctx, groupMessageOf(reply, key), key);
    i++;
  }
}

type Target = (ctx: FeatureContext, message: GroupMessage, idempotencyKey: string) => Promise<unknown>;

const groupTarget = (tenantId: string, target: GroupTarget): Target => (ctx, message, idempotencyKey) =>
  outboxGroupNotifier(ctx.stores).notify({ tenantId, target, message, idempotencyKey });

const dingtalkOto = (tenantId: string, staffId: string): Target => (ctx, message, idempotencyKey) =>
  enqueueMessage(ctx.stores, {
    tenantId, channel: 'dingtalk_oto', recipient: staffId, idempotencyKey,
    payload: { msgKey: 'sampleMarkdown', msgParam: { title: '招聘助手 HR bot', text: markdownOf(message) } },
  });

/** Inbox handlers: `bot.message` (WeCom AI bot) and `message.robot_text` (DingTalk robot, stream mode). */
export function botInboxHandlers(deps: { features: FeatureContext; runtime: BotRuntime }): InboxHandlers {
  const wecom: InboxHandler = async (event, ctx) => {
    const message = event.payload as unknown as BotMessage;
    if (message.msgtype !== 'text' && message.msgtype !== 'mixed') return;
    const inbound: NeutralInbound = {
      platform: 'wecom', tenantId: event.tenantId, messageId: message.messageId, chatType: message.chatType, chatId: message.chatId,
      senderId: message.senderUserId, text: message.text, mentions: mentionedNames(message.text).map((name) => ({ id: '', name })),
    };
    await answer(deps, ctx, inbound, { first: groupTarget(event.tenantId, message.reply), rest: groupTarget(event.tenantId, message.push) });
  };
  const dingtalk: InboxHandler = async (event, ctx) => {
    const p = event.payload as {
      msgId?: string; conversationType?: string; conversationId?: string; senderStaffId?: string; text?: { content?: string };
      atUsers?: { dingtalkId?: string; staffId?: string }[];
    };
    if (!p.senderStaffId || !p.conversationId || typeof p.text?.content !== 'string') return;
    const text = p.text.content.trim();
    const names = mentionedNames(text);
    // The robot itself is in atUsers without a staffId; people come with theirs, in the order they were mentioned.
    const staffIds = (p.atUsers ?? []).map((u) => u.staffId).filter((s): s is string => typeof s === 'string' && s.length > 0);
    const mentions = staffIds.map((id, i) => ({ id, name: names.length === staffIds.length ? names[i]! : id }));
    const group = p.conversationType === '2';
    const inbound: NeutralInbound = {
      platform: 'dingtalk', tenantId: event.tenantId, messageId: p.msgId ?? event.dedupeKey, chatType: group ? 'group' : 'single',
      chatId: group ? p.conversationId : p.senderStaffId, senderId: p.senderStaffId, text, mentions,
    };
    const target = group ? groupTarget(event.tenantId, { channel: 'dingtalk_group', openConversationId: p.conversationId }) : dingtalkOto(event.tenantId, p.senderStaffId);
    await answer(deps, ctx, inbound, { first: target, rest: target });
  };
  return { 'bot.message': wecom, 'message.robot_text': dingtalk };
}
