import { createHash } from 'node:crypto';
import type { BotMessage } from '../../ports/bot-message';
import { buttonCardAsText, type GroupMessage, type GroupTarget } from '../../ports/group-notifier';
import type { FeatureContext } from '../context';
import { outboxGroupNotifier } from '../group-chat';
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
  | { readonly kind: 'markdown'; readonly content: string; readonly failed?: boolean }
  | { readonly kind: 'card'; readonly title: string; readonly description: string; readonly buttons: readonly { readonly label: string; readonly key: string; readonly style?: 'primary' | 'default' | 'danger' }[]; readonly exclusive?: boolean }
  | { readonly kind: 'image'; readonly png: Uint8Array; readonly alt: string };

/**
 * The bot as the server's composition root provides it (bot/ over HTTP with the given session token). `requestId` is
 * what the command was audited under (`bot.command`): the bot names it when a request acts on the chat.
 */
export interface BotRuntime {
  message(inbound: NeutralInbound, session: { token: string; timeZone: string; requestId?: string }): Promise<readonly NeutralReply[]>;
  /** A click on a button of one of the bot's cards (features/group-chat/card-actions.ts). */
  click?(click: NeutralCardClick, session: { token: string; timeZone: string; requestId?: string }): Promise<readonly NeutralReply[]>;
  /**
   * Like `message`, for long work: `replies` go out at once, `followUp` (never rejecting) completes the answer later.
   * Used instead of `message` when present.
   */
  answer?(inbound: NeutralInbound, session: { token: string; timeZone: string; requestId?: string }): Promise<NeutralAnswer>;
}

export interface NeutralAnswer {
  readonly replies: readonly NeutralReply[];
  readonly followUp?: Promise<readonly NeutralReply[]>;
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
        ...(reply.exclusive ? { exclusive: true } : {}),
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
    platform: inbound.platform, chatId: inbound.chatId,
  }));
  const key = (i: number) => `bot:${inbound.platform}:${inbound.messageId}:${i}`;
  const followUpKey = (j: number) => `bot:${inbound.platform}:${inbound.messageId}:followup:${j}`;
  if (!sender.allowed) {
    const queued = await targets.first(ctx, groupMessageOf({ kind: 'markdown', content: sender.message }, key(0)), key(0));
    // A retried command whose first answer already went out (a long command cut off, e.g. by a crash, before its
    // result was stored): the chat hears once that the result is unknown — never the first answer twice.
    if (sender.reason === 'replayed' && !queued) {
      await targets.rest(ctx, { kind: 'markdown', content: interrupted }, followUpKey(0));
    }
    return;
  }
  const session = { token: sender.token, timeZone: await tenantZone(deps.features, inbound.tenantId), requestId: inbound.messageId.slice(0, 100) };
  const result: NeutralAnswer = deps.runtime.answer ? await deps.runtime.answer(inbound, session) : { replies: await deps.runtime.message(inbound, session) };
  if (!result.followUp) {
    let i = 0;
    for (const reply of result.replies) {
      const target = i === 0 ? targets.first : targets.rest;
      await target(ctx, groupMessageOf(reply, key(i)), key(i));
      i++;
    }
    return;
  }
  // Long work: the first answer is committed on its own now, so the dispatcher sends it (WeCom: into the response
  // URL) while the work runs; the result is queued with the event's own transaction when it settles.
  await deps.features.transact(async (stores) => {
    const now: FeatureContext = { ...deps.features, stores, transact: (work) => work(stores) };
    let i = 0;
    for (const reply of result.replies) {
      const target = i === 0 ? targets.first : targets.rest;
      await target(now, groupMessageOf(reply, key(i)), key(i));
      i++;
    }
  });
  const later = await result.followUp.catch((): readonly NeutralReply[] => [{ kind: 'markdown', content: failedLater }]);
  let j = 0;
  for (const reply of later) {
    await targets.rest(ctx, groupMessageOf(reply, followUpKey(j)), followUpKey(j));
    j++;
  }
}

const interrupted = '⚠️ 上一条命令在处理中被中断，结果未知。请稍后查看（如“今日”“候选人”），需要时再发一次命令。The previous command was interrupted; its result is unknown.';
const failedLater = '⚠️ 处理时出错了，操作可能没有完成，请稍后再试。Something went wrong; the work may not have finished.';

/** Queues one message; true when it was new (false: this idempotency key was queued before). */
type Target = (ctx: FeatureContext, message: GroupMessage, idempotencyKey: string) => Promise<boolean>;

const groupTarget = (tenantId: string, target: GroupTarget): Target => async (ctx, message, idempotencyKey) =>
  (await outboxGroupNotifier(ctx.stores).notify({ tenantId, target, message, idempotencyKey })).queued;

const dingtalkOto = (tenantId: string, staffId: string): Target => async (ctx, message, idempotencyKey) =>
  (await enqueueMessage(ctx.stores, {
    tenantId, channel: 'dingtalk_oto', recipient: staffId, idempotencyKey,
    // An image also travels as the neutral message: the DingTalk sender uploads it and sends it as an image.
    // A button card too: an interactive card when the app has a card template, else this text listing.
    payload: { msgKey: 'sampleMarkdown', msgParam: { title: '招聘助手 HR bot', text: markdownOf(message) }, ...(message.kind === 'image' || message.kind === 'button_card' ? { message } : {}) },
  })).inserted;

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
