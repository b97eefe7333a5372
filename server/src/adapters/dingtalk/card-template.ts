import { createHash } from 'node:crypto';
import { chatRefOf, dingtalkChatRefMaxLength, isBoundedString as str, type DingtalkCardSpace } from '../../ports/dingtalk-card';
import type { GroupButton, GroupMessage } from '../../ports/group-notifier';

// Re-exported for the DingTalk sender and this module's tests, which import them from here.
export { dingtalkCardUpdateChannel, spaceOfChatRef, type DingtalkCardSpace } from '../../ports/dingtalk-card';

/**
 * The HireBridge card template for DingTalk interactive cards (互动卡片). DingTalk draws a card from a template the
 * company builds once in its card platform (卡片平台, https://open-dev.dingtalk.com/fe/card); the template's id is
 * tenant configuration (`cardTemplateId` of the tenant's `dingtalk_app`). HireBridge fills the template's variables
 * through `cardData.cardParamMap`, whose values must all be strings (platform.md §7.3; the card API's d.ts in
 * `@alicloud/dingtalk` card_1_0 types cardParamMap as `{[key: string]: string}`).
 *
 * The template a company builds (the shape this module fills and reads back):
 * | variable   | type (in the card platform) | content |
 * |---|---|---|
 * | `title`    | 文本 string   | the card's title |
 * | `markdown` | Markdown      | the body (the bot's description) |
 * | `buttons`  | 循环列表 / JSON string | `[{"label","key","style"}]`, style "primary" \| "default" \| "danger"; one button per entry |
 * | `hbChat`   | string (hidden) | where the card was delivered: "group:<openConversationId>" or "single:<userId>" (a click's claim only: the server acts where it delivered the card, dingtalk-card-actions.ts) |
 * | `status`   | string          | "" while the card is open; "已处理 · <who>" once a card of alternatives (`exclusive`) was acted on (show it, hide the buttons) |
 * Each button's action: callback ("回传请求") with action id `hb_button` and params `{"key": <item.key>, "chat": <hbChat>}`.
 * A click then comes back over Stream mode on topic `/v1.0/card/instances/callback` (callbackType "STREAM").
 */
export const hbCardActionId = 'hb_button';
export const dingtalkCardTopic = '/v1.0/card/instances/callback';

/** `outTrackId`: ours, ≤ 64 characters, unique per card instance. The neutral cardId (≤ 128) is hashed when longer. */
export function outTrackIdOf(cardId: string): string {
  return /^[A-Za-z0-9_-]{1,64}$/.test(cardId) ? cardId : `hb_${createHash('sha256').update(cardId).digest('hex').slice(0, 48)}`;
}

/** The card's variables for a button card (all strings). */
export function cardParamMapOf(message: Extract<GroupMessage, { kind: 'button_card' }>, space: DingtalkCardSpace): Record<string, string> {
  const buttons: GroupButton[] = message.buttons.map((b) => ({ label: b.label, key: b.key, style: b.style ?? 'default' }));
  return { title: message.title, markdown: message.description, buttons: JSON.stringify(buttons), hbChat: chatRefOf(space), status: '' };
}

/** The createAndDeliver request body (https://open.dingtalk.com/document/orgapp/create-and-deliver-cards). */
export function createAndDeliverBody(input: {
  templateId: string;
  robotCode: string;
  message: Extract<GroupMessage, { kind: 'button_card' }>;
  space: DingtalkCardSpace;
}): Record<string, unknown> {
  const { space } = input;
  return {
    cardTemplateId: input.templateId,
    outTrackId: outTrackIdOf(input.message.cardId),
    cardData: { cardParamMap: cardParamMapOf(input.message, input.space) },
    callbackType: 'STREAM',
    ...(space.type === 'group'
      ? {
          openSpaceId: `dtv1.card//IM_GROUP.${space.openConversationId}`,
          imGroupOpenSpaceModel: { supportForward: false },
          imGroupOpenDeliverModel: { robotCode: input.robotCode },
        }
      : {
          openSpaceId: `dtv1.card//IM_ROBOT.${space.userId}`,
          imRobotOpenSpaceModel: { supportForward: false },
          imRobotOpenDeliverModel: { spaceType: 'IM_ROBOT', robotCode: input.robotCode },
        }),
  };
}

/** A card of alternatives (`exclusive`) after a click was acted on successfully: buttons gone, who handled it shown to everyone. */
export function handledCardUpdateBody(outTrackId: string, status: string): Record<string, unknown> {
  return { outTrackId, cardData: { cardParamMap: { status, buttons: '[]' } }, cardUpdateOptions: { updateCardDataByKey: true } };
}

/** What the stream connection stores for a card click (also what the feature reads back). */
export interface DingtalkCardClickPayload {
  readonly outTrackId: string;
  readonly userId: string;
  readonly corpId: string | null;
  readonly actionId: string;
  readonly key: string;
  /** Where the card was delivered, from the template's `chat` param; undefined when the template did not pass it. */
  readonly chat: string | null;
}

/**
 * The callback's `data` (a JSON string: `{corpId, outTrackId, userId, content}`, `content` itself a JSON string with
 * `cardPrivateData: {actionIds, params}`; HTTP-mode callbacks name it `value`) → the click, or a reason it is unusable.
 * Card examples: https://github.com/open-dingtalk/dingtalk-card-examples (审批/nodejs).
 */
export function parseCardCallback(data: string): DingtalkCardClickPayload | { readonly invalid: string } {
  let outer: Record<string, unknown>;
  try {
    const parsed: unknown = JSON.parse(data);
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return { invalid: 'data is not an object' };
    outer = parsed as Record<string, unknown>;
  } catch {
    return { invalid: 'data is not JSON' };
  }
  if (!str(outer.outTrackId, 64) || !str(outer.userId, 256)) return { invalid: 'no outTrackId or userId' };
  const rawContent = outer.content ?? outer.value;
  let content: Record<string, unknown> = {};
  try {
    const parsed: unknown = typeof rawContent === 'string' ? JSON.parse(rawContent) : rawContent;
    if (typeof parsed === 'object' && parsed !== null) content = parsed as Record<string, unknown>;
  } catch {
    return { invalid: 'content is not JSON' };
  }
  const privateData = (content.cardPrivateData ?? {}) as { actionIds?: unknown; params?: unknown };
  const actionIds = Array.isArray(privateData.actionIds) ? privateData.actionIds.filter((a): a is string => typeof a === 'string') : [];
  const params = (typeof privateData.params === 'object' && privateData.params !== null ? privateData.params : {}) as Record<string, unknown>;
  if (!actionIds.includes(hbCardActionId)) return { invalid: `not a HireBridge button (actionIds ${JSON.stringify(actionIds)})` };
  if (!str(params.key, 1024)) return { invalid: 'the button has no key' };
  return {
    outTrackId: outer.outTrackId,
    userId: outer.userId,
    corpId: typeof outer.corpId === 'string' ? outer.corpId : null,
    actionId: hbCardActionId,
    key: params.key,
    chat: str(params.chat, dingtalkChatRefMaxLength) ? params.chat : null,
  };
}

/** One click of one person on one button of one card: re-pushes and double taps are stored once. */
export function cardClickDedupeKey(click: DingtalkCardClickPayload): string {
  return `card:${createHash('sha256').update(`${click.outTrackId}\n${click.userId}\n${click.actionId}\n${click.key}`).digest('hex').slice(0, 48)}`;
}
