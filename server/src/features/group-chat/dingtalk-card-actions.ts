import { dingtalkCardClickKind, dingtalkCardUpdateChannel, dingtalkChatRefMaxLength, isBoundedString as str, spaceOfChatRef, type DingtalkCardSpace } from '../../ports/dingtalk-card';
import type { GroupTarget } from '../../ports/group-notifier';
import type { BotRuntime, NeutralCardClick } from '../bot/inbound';
import type { FeatureContext } from '../context';
import type { InboxHandler, InboxHandlers } from '../inbox';
import { enqueueMessage } from '../outbox';
import { answerCardClick } from './card-actions';
import type { DingtalkCardDelivery } from './origin-store';

/**
 * Clicks on the buttons of the bot's DingTalk interactive cards. The platform layer (adapters/dingtalk/
 * stream-connection.ts) verified and stored the card callback as `card.dingtalk_callback` with
 * `{outTrackId, userId, key, chat}` (chat: the card template's `hbChat` param, "group:<openConversationId>" or
 * "single:<userId>"). The click's params are the clicker's to write, so the chat the bot acts in is never taken from
 * them: it is where the server delivered that card (the sent outbox row whose receipt names the outTrackId,
 * GroupChatStore.dingtalkCardDeliveries). A click on a card the server never delivered, or claiming another chat than
 * the card's, is dropped unanswered; so is a click on a 1:1 card by anyone but its recipient (which DingTalk cannot
 * produce; a forged or misrouted callback). Otherwise it becomes the bot's neutral card click — the same path as a
 * WeCom template_card_event: clicker checked, audited, one button of one card acted on once. Replies go where the card
 * is: the group (`dingtalk_group`) or the robot's 1:1 chat with the clicker (`dingtalk_oto`).
 * A card whose buttons are alternatives (`exclusive`: pick one time, confirm or decline) is closed for everyone after
 * the first click that succeeded: outbox channel `dingtalk_card_update` (the DingTalk sender PUTs
 * /v1.0/card/instances), once per card. A failed click (the bot's answer says so) leaves it open for another choice,
 * and a card of independent buttons (several 催办) is never closed.
 */
/** Whether the card was delivered to the chat a click claims (a chat reference parsed by the port). */
const deliveredTo = (target: DingtalkCardDelivery['target'], claimed: DingtalkCardSpace) =>
  target.channel === 'dingtalk_group' ? claimed.type === 'group' && claimed.openConversationId === target.openConversationId : claimed.type === 'single' && claimed.userId === target.userId;

/**
 * The click as the bot sees it, in the chat the card was really delivered to; undefined (dropped) when the card is
 * unknown, the claimed chat is not the card's, or a 1:1 card is clicked by someone else.
 */
export function dingtalkCardClickOf(
  tenantId: string,
  payload: Record<string, unknown>,
  deliveries: readonly DingtalkCardDelivery[],
): { click: NeutralCardClick; outTrackId: string; target: DingtalkCardDelivery['target']; exclusive: boolean } | undefined {
  const { outTrackId, userId, key, chat } = payload;
  if (!str(outTrackId, 64) || !str(userId, 256) || !str(key, 1024)) return undefined;
  // A claimed chat must be a chat reference the card was delivered to; without one (an older template) the delivery decides.
  const hasClaim = str(chat, dingtalkChatRefMaxLength);
  const claimed = hasClaim ? spaceOfChatRef(chat) : undefined;
  if (hasClaim && !claimed) return undefined;
  const delivery = claimed ? deliveries.find((d) => deliveredTo(d.target, claimed)) : deliveries.length === 1 ? deliveries[0] : undefined;
  if (!delivery) return undefined;
  const { target } = delivery;
  if (target.channel === 'dingtalk_oto' && target.userId !== userId) return undefined;
  const click: NeutralCardClick =
    target.channel === 'dingtalk_group'
      ? { platform: 'dingtalk', tenantId, chatType: 'group', chatId: target.openConversationId, senderId: userId, key }
      : { platform: 'dingtalk', tenantId, chatType: 'single', chatId: target.userId, senderId: userId, key };
  return { click, outTrackId, target, exclusive: delivery.exclusive };
}

export function dingtalkCardActionInboxHandlers(deps: { features: FeatureContext; runtime: BotRuntime }): InboxHandlers {
  const handler: InboxHandler = async (event, ctx) => {
    const outTrackId = event.payload.outTrackId;
    if (!str(outTrackId, 64)) return;
    const deliveries = await ctx.stores.groupChat.dingtalkCardDeliveries(event.tenantId, outTrackId);
    const parsed = dingtalkCardClickOf(event.tenantId, event.payload, deliveries);
    // Unknown card, another chat claimed, or someone else's 1:1 card: not acted on, not answered.
    if (!parsed) return;
    const { click } = parsed;
    const target: GroupTarget = parsed.target;
    const outcome = await answerCardClick(deps, ctx, { click, cardId: parsed.outTrackId, first: target, rest: target });
    if (!outcome.handled || outcome.failed || !parsed.exclusive) return;
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
