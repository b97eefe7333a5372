import { createHash } from 'node:crypto';
import { botEventKind } from '../../ports/bot-message';
import type { GroupTarget } from '../../ports/group-notifier';
import { admitBotSender, tenantZone } from '../bot';
import { groupMessageOf, type BotRuntime, type NeutralCardClick, type NeutralReply } from '../bot/inbound';
import type { FeatureContext } from '../context';
import type { InboxHandler, InboxHandlers } from '../inbox';
import { outboxGroupNotifier } from './index';

/**
 * Card clicks: a button of one of the bot's cards was clicked. The platform layer has verified and stored the event
 * (WeCom AI bot: `template_card_event`, in callback or long-connection mode); here it becomes the bot's neutral card
 * click. The clicker goes through the same check as a command (an active HR person, hiring manager or admin; the
 * bot then acts in their scope), the click is audited, and one button of one card is acted on once: a second click
 * — by the same person or another — only hears that it was already handled.
 */

// https://developer.work.weixin.qq.com/document/path/101138 : a response_url may be used once, within one hour.
const responseUrlValidityMs = 3_600_000;

export interface WecomCardEvent {
  readonly click: NeutralCardClick;
  /** The card (task_id) the button belongs to. */
  readonly cardId: string;
  readonly eventId: string;
  readonly reply: Extract<GroupTarget, { channel: 'wecom_aibot_reply' | 'wecom_aibot_push' }>;
  readonly push: Extract<GroupTarget, { channel: 'wecom_aibot_push' }>;
}

const str = (value: unknown, max = 1024): value is string => typeof value === 'string' && value.length > 0 && value.length <= max;

/**
 * The stored payload of a WeCom `template_card_event` (doc 101027: `event.template_card_event.{event_key, task_id}`;
 * the SDK's types also show them directly under `event`). Anything else → undefined (nothing to act on).
 */
export function wecomCardEventOf(tenantId: string, raw: Record<string, unknown>, now: Date): WecomCardEvent | undefined {
  const event = raw.event as Record<string, unknown> | undefined;
  if (!event || event.eventtype !== 'template_card_event') return undefined;
  const nested = (event.template_card_event ?? {}) as Record<string, unknown>;
  const key = nested.event_key ?? event.event_key;
  const cardId = nested.task_id ?? event.task_id;
  const from = raw.from as { userid?: unknown } | undefined;
  if (!str(key) || !str(cardId, 128) || !str(from?.userid, 512) || !str(raw.msgid, 512)) return undefined;
  const group = raw.chattype === 'group';
  if (group && !str(raw.chatid, 512)) return undefined;
  const chatId = group ? (raw.chatid as string) : from.userid;
  const push = { channel: 'wecom_aibot_push', chatId } as const;
  const reply = str(raw.response_url, 2048)
    ? ({ channel: 'wecom_aibot_reply', responseUrl: raw.response_url, expiresAt: new Date(now.getTime() + responseUrlValidityMs).toISOString() } as const)
    : push;
  return {
    click: { platform: 'wecom', tenantId, chatType: group ? 'group' : 'single', chatId, senderId: from.userid, key },
    cardId,
    eventId: raw.msgid as string,
    reply,
    push,
  };
}

/** One button of one card: the id a click is acted on once by (whoever clicks, however often). */
export function clickIdOf(platform: string, cardId: string, key: string): string {
  return `card:${createHash('sha256').update(`${platform}\n${cardId}\n${key}`).digest('hex').slice(0, 48)}`;
}

const alreadyHandled = '这个按钮已经处理过了，无需再点。This button was already handled.';

/** Runs one click and queues the answers: the first through the click's reply handle, the rest as pushes. */
export async function answerCardClick(
  deps: { features: FeatureContext; runtime: BotRuntime },
  ctx: FeatureContext,
  input: { click: NeutralCardClick; cardId: string; first: GroupTarget; rest: GroupTarget },
): Promise<{ handled: boolean; by?: string; failed?: boolean }> {
  const { click } = input;
  const clickId = clickIdOf(click.platform, input.cardId, click.key);
  // Committed on its own (like a command): the bot calls the HTTP API with this session while the click is handled.
  const sender = await deps.features.transact((stores) => admitBotSender({ ...deps.features, stores, transact: (work) => work(stores) }, { tenantId: click.tenantId, platformUserId: click.senderId, messageId: clickId, text: `[按钮] ${click.key.slice(0, 180)}`, chatType: click.chatType, platform: click.platform, chatId: click.chatId }));
  let replies: readonly NeutralReply[];
  if (sender.allowed) {
    if (!deps.runtime.click) throw new Error('the bot runtime does not take card clicks');
    // A click can schedule (an ask-back time button): the bot names the click's record (requestId) so the interview
    // remembers the group like a typed command.
    replies = await deps.runtime.click(click, { token: sender.token, timeZone: await tenantZone(deps.features, click.tenantId), requestId: clickId.slice(0, 100) });
  } else {
    replies = [{ kind: 'markdown', content: sender.reason === 'replayed' ? alreadyHandled : sender.message }];
  }
  const notifier = outboxGroupNotifier(ctx.stores);
  let i = 0;
  for (const reply of replies) {
    const idempotencyKey = `bot:${click.platform}:${clickId}:${sender.allowed ? 'done' : sender.reason}:${click.senderId}:${i}`;
    await notifier.notify({ tenantId: click.tenantId, target: i === 0 ? input.first : input.rest, message: groupMessageOf(reply, idempotencyKey), idempotencyKey });
    i++;
  }
  // Whether this click was acted on, and whether the bot's answer says it failed (an exclusive DingTalk card is closed
  // for everyone only after a click that succeeded: dingtalk-card-actions.ts).
  if (!sender.allowed) return { handled: false };
  const failed = replies.some((reply) => reply.kind === 'markdown' && reply.failed === true);
  return { handled: true, by: sender.name, failed };
}

/** Inbox handlers for card clicks: `bot.event.template_card_event` (WeCom AI bot). */
export function cardActionInboxHandlers(deps: { features: FeatureContext; runtime: BotRuntime }): InboxHandlers {
  const wecom: InboxHandler = async (event, ctx) => {
    const parsed = wecomCardEventOf(event.tenantId, event.payload, ctx.clock.now());
    if (!parsed) return;
    await answerCardClick(deps, ctx, { click: parsed.click, cardId: parsed.cardId, first: parsed.reply, rest: parsed.push });
  };
  return { [botEventKind('template_card_event')]: wecom };
}
