import type { GroupTarget } from '../../ports/group-notifier';

/** Where interviews scheduled from a group command remember their chat (interviews.origin_chat). */
export interface GroupChatStore {
  /**
   * Stores the verified chat a bot-made interview came from (features/bot/chat.ts checks it against the message the
   * server received). Call in the transaction that creates the interview.
   */
  setOrigin(tenantId: string, interviewId: string, origin: GroupTarget): Promise<void>;
  originOf(tenantId: string, interviewId: string): Promise<GroupTarget | undefined>;
}
