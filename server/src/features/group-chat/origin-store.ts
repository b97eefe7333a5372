import type { GroupTarget } from '../../ports/group-notifier';

/** Where interviews scheduled from a group command remember their chat (interviews.origin_chat). */
export interface GroupChatStore {
  /**
   * Stores the verified chat a bot-made interview came from (features/bot/chat.ts checks it against the message the
   * server received). Call in the transaction that creates the interview.
   */
  setOrigin(tenantId: string, interviewId: string, origin: GroupTarget): Promise<void>;
  originOf(tenantId: string, interviewId: string): Promise<GroupTarget | undefined>;
  /**
   * Where the server delivered a DingTalk interactive card (an outbox row of channel `dingtalk_group` or
   * `dingtalk_oto`, sent, whose receipt names this `outTrackId`), with the neutral card it carried. A click is acted
   * on only in the chat its card was really delivered to (dingtalk-card-actions.ts); [] when the card is unknown.
   */
  dingtalkCardDeliveries(tenantId: string, outTrackId: string): Promise<DingtalkCardDelivery[]>;
}

export interface DingtalkCardDelivery {
  readonly target: Extract<GroupTarget, { channel: 'dingtalk_group' | 'dingtalk_oto' }>;
  /** The card's buttons are alternatives (GroupMessage button_card `exclusive`). */
  readonly exclusive: boolean;
}
