import type { GroupTarget } from '../../ports/group-notifier';
import type { Stores } from '../context';
import { outboxGroupNotifier } from './index';

/**
 * Interviews scheduled from a group command remember that chat, and the group is told when the candidate confirms:
 * one outbox message queued in the confirmation's own transaction, keyed by the interview and its schedule version.
 * The chat travels explicitly with the bot's scheduling request and is checked against the message the server
 * received (features/bot/chat.ts); it is stored in the transaction that creates the interview.
 */

/** The chat a group command came from, as the proactive target that can reach it later (1:1 chats are not kept). */
export function originTargetOf(inbound: { platform: 'wecom' | 'dingtalk'; chatType: 'group' | 'single'; chatId: string }): GroupTarget | undefined {
  if (inbound.chatType !== 'group') return undefined;
  return inbound.platform === 'wecom' ? { channel: 'wecom_aibot_push', chatId: inbound.chatId } : { channel: 'dingtalk_group', openConversationId: inbound.chatId };
}

/** 林晓雨 → 林**: personal data is masked in groups. */
export function maskedName(name: string): string {
  const chars = [...name.trim()];
  if (chars.length <= 1) return chars.length ? '*' : '';
  return chars[0] + '*'.repeat(chars.length - 1);
}

/** Call inside the confirmation's transaction. Nothing is queued for interviews not scheduled from a group. */
export async function tellOriginChatConfirmed(
  stores: Stores,
  interview: { id: string; tenantId: string; scheduleVersion: number; candidateName: string; jobTitle: string; roundName: string },
  when: string,
): Promise<void> {
  const origin = await stores.groupChat.originOf(interview.tenantId, interview.id);
  if (!origin) return;
  await outboxGroupNotifier(stores).notify({
    tenantId: interview.tenantId,
    target: origin,
    message: { kind: 'markdown', content: `✅ 候选人 ${maskedName(interview.candidateName)} 已确认参加「${interview.jobTitle}」${interview.roundName}（${when}）。\nThe candidate confirmed.` },
    idempotencyKey: `interview:${interview.id}:v${interview.scheduleVersion}:confirmed:group`,
  });
}
