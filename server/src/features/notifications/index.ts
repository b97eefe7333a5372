import type { ChatCardUpdate, ChatMessage } from '../../domain/chat-message';
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
