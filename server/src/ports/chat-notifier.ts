import type { ChatCardUpdate, ChatMessage } from '../domain/chat-message';

/**
 * Telling an employee something in their work chat, whatever the platform (WeCom app message, DingTalk robot
 * 1:1). Features describe the message; the outbox carries it and the tenant's platform adapter renders it.
 */
export interface EmployeeNotification {
  readonly tenantId: string;
  /** The employee's id on the tenant's platform (WeCom userid, DingTalk userId). */
  readonly platformUserId: string;
  readonly message: ChatMessage;
  /** Names the logical message: notifying twice with the same key sends once. */
  readonly key: string;
}

export interface ChatNotifier {
  notify(notification: EmployeeNotification): Promise<{ queued: boolean }>;
  /** Marks a clicked card as handled for the people given (WeCom: its single-use response_code). */
  updateCard(input: { tenantId: string; update: ChatCardUpdate; key: string }): Promise<{ queued: boolean }>;
}
