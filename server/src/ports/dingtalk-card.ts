/**
 * What the DingTalk platform layer (adapters/dingtalk: card-template.ts, stream-connection.ts, robot-sender.ts) and
 * the feature acting on card clicks (features/group-chat/dingtalk-card-actions.ts) must agree on: the inbox kind a
 * stored click has, the outbox channel that updates a card after a click, and the card's chat reference (the card
 * template's hidden `hbChat` variable, "group:<openConversationId>" or "single:<userId>").
 */

/** The inbox kind of a stored card click (DingTalk interactive card callback, stream mode). */
export const dingtalkCardClickKind = 'card.dingtalk_callback';

/** An outbox channel: after a click was acted on, the card is updated for everyone (recipient = outTrackId). */
export const dingtalkCardUpdateChannel = 'dingtalk_card_update';

/** Where a DingTalk card was delivered: a group (openConversationId) or the robot's 1:1 chat with one member. */
export type DingtalkCardSpace = { readonly type: 'group'; readonly openConversationId: string } | { readonly type: 'single'; readonly userId: string };

/**
 * The longest id a chat reference may carry. Real ids are far shorter (openConversationId "cid…==" is about 30–40
 * characters; a userId/staffId is at most 64), and 256 is also the bound the callback parser puts on the clicker's
 * userId, so the reference of any 1:1 card whose clicker is accepted fits. The stricter of the two limits the
 * platform layer (256 per id) and the feature (300 for the whole reference) used to apply.
 */
const maxChatRefIdLength = 256;

/** The longest chat reference: "single:" (the longer prefix) and the longest id. */
export const dingtalkChatRefMaxLength = 'single:'.length + maxChatRefIdLength;

const chatRefPattern = new RegExp(`^(group|single):(.{1,${maxChatRefIdLength}})$`);

/** A non-empty string of at most `max` characters. */
export const isBoundedString = (value: unknown, max: number): value is string => typeof value === 'string' && value.length > 0 && value.length <= max;

/** The space → its chat reference ("group:cid==" / "single:user1"). */
export const chatRefOf = (space: DingtalkCardSpace): string => (space.type === 'group' ? `group:${space.openConversationId}` : `single:${space.userId}`);

/** "group:cid==" / "single:user1" → the space; anything else (including an id over 256 characters) → undefined. */
export function spaceOfChatRef(ref: unknown): DingtalkCardSpace | undefined {
  if (typeof ref !== 'string') return undefined;
  const match = chatRefPattern.exec(ref);
  if (!match) return undefined;
  return match[1] === 'group' ? { type: 'group', openConversationId: match[2]! } : { type: 'single', userId: match[2]! };
}
