import type { GroupTarget } from '../../ports/group-notifier';
import type { BotRuntime, NeutralCardClick } from '../bot/inbound';
import type { FeatureContext } from '../context';
import type { InboxHandler, InboxHandlers } from '../inbox';
import { enqueueMessage } from '../outbox';
import { answerCardClick } from './card-actions';

/**
 * Clicks on the buttons of the bot's DingTalk interactive cards. The platform layer (adapters/dingtalk/
 * stream-connection.ts) verified and stored the card callback as `card.dingtalk_callback` with
 * `{outTrackId, userId, key, chat}` (chat: the card template's `hbChat` param, "group:<openConversationId>" or
 * "single:<userId>"). Here it becomes the bot's neutral card click — the same path as a WeCom template_card_event:
 * clicker checked, audited, one button of one card acted on once — and, when it was acted on, the card is updated for
 * everyone who sees it: outbox channel `dingtalk_card_update` (the DingTalk sender PUTs /v1.0/card/instances), once
 * per card. Replies go where the card is: the group (`dingtalk_group`) or the robot's 1:1 chat with the clicker
 * (`dingtalk_oto`). A 1:1 card is only seen by the person it was delivered to: a click on it by anyone else (which
 * DingTalk cannot produce; a forged or misrouted callback) is not acted on and not answered.
 */
export const dingtalkCardClickKind = 'card.dingtalk_callback';
export const dingtalkCardUpdateChannel = 'dingtalk_card_update';

const str = (value: unknown, max: number): value is string => typeof value === 'string' && value.length > 0 && value.length <= max;

export function dingtalkCardClickOf(tenantId: string, payload: Record<string, unknown>): { click: NeutralCardClick; outTrackId: string } | undefined {
  const { outTrackId, userId, key, chat } = payload;
  if (!str(outTrackId, 64) || !str(userId, 256) || !str(key, 1024) || !str(chat, 300)) return undefined;
  const group = /^group:(.+)$/.exec(chat);
  if (group) return { click: { platform: 'dingtalk', tenantId, chatType: 'group', chatId: group[1]!, senderId: userId, key }, outTrackId };
  const single = /^single:(.+)$/.exec(chat);
  // Someone else's 1:1 card: refused.
  if (!single || single[1] !== userId) return undefined;
  return { click: { platform: 'dingtalk', tenantId, chatType: 'single', chatId: userId, senderId: userId, key }, outTrackId };
}

export function dingtalkCardActionInboxHandlers(deps: { features: FeatureContext; runtime: BotRuntime }): InboxHandlers {
  const handler: InboxHandler = async (event, ctx) => {
    const parsed = dingtalkCardClickOf(event.tenantId, event.payload);
    if (!parsed) return;
    const { click } = parsed;
    const target: GroupTarget = click.chatType === 'group' ? { channel: 'dingtalk_group', openConversationId: click.chatId } : { channel: 'dingtalk_oto', userId: click.chatId };
    const outcome = await answerCardClick(deps, ctx, { click, cardId: parsed.outTrackId, first: target, rest: target });
    if (!outcome.handled) return;
    await enqueueMessage(ctx.stores, {
      tenantId: event.tenantId,
      channel: dingtalkCardUpdateChannel,
      recipient: parsed.outTrackId,
      // One update per card: the first click acted on decides what everyone sees.
      idempotencyKey: `dingtalk_card:${parsed.outTrackId}:handled`,
      payload: { outTrackId: parsed.outTrackId, status: `已处理 · ${outcome.by ?? click.senderId}（Handled）` },
    });
  };
  return { [dingtalkCardClickKind]: handler };
}
