import type { ChatCardUpdate, ChatMessage } from '../../domain/chat-message';
import type { ChatNotifier } from '../../ports/chat-notifier';
import type { Stores } from '../context';
import { enqueueMessage } from '../outbox';

/**
 * Tells an employee something in their work chat (WeCom or DingTalk, whichever the tenant runs on). It goes through
 * the outbox: call it with the stores of the transaction that makes the change it reports. `key` names the logical
 * message so that doing the same work twice sends it once.
 */
export function notifyEmployee(stores: Stores, input: { tenantId: string; platformUserId: string; message: ChatMessage; key: string }) {
  return enqueueMessage(stores, {
    tenantId: input.tenantId,
    channel: 'employee_chat',
    recipient: input.platformUserId,
    payload: { message: input.message },
    idempotencyKey: `chat:${input.key}`,
  });
}

/** Updates a card someone clicked (e.g. greys its button out as 已确认), through the outbox. */
export function updateEmployeeCard(stores: Stores, input: { tenantId: string; update: ChatCardUpdate; key: string }) {
  return enqueueMessage(stores, {
    tenantId: input.tenantId,
    channel: 'employee_card_update',
    recipient: input.update.recipients.join('|'),
    payload: { update: input.update },
    idempotencyKey: `card-update:${input.key}`,
  });
}

/**
 * The ChatNotifier features use: it writes the outbox with the caller's stores, so inside a transaction the message
 * exists exactly when the change it reports does.
 */
export function outboxChatNotifier(stores: Stores): ChatNotifier {
  return {
    async notify(notification) {
      const { inserted } = await notifyEmployee(stores, notification);
      return { queued: inserted };
    },
    async updateCard(input) {
      const { inserted } = await updateEmployeeCard(stores, input);
      return { queued: inserted };
    },
  };
}
