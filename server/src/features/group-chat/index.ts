import { outboxFieldsOf, type GroupNotifier } from '../../ports/group-notifier';
import type { Stores } from '../context';
import { enqueueMessage } from '../outbox';

export { botMessageKind, botEventKind, type BotMessage } from '../../ports/bot-message';

/**
 * The GroupNotifier features use: it writes the outbox with the caller's stores, so inside a transaction the group
 * message exists exactly when the change it reports does. Pacing (wecom_robot 18/min per robot) happens at dispatch.
 */
export function outboxGroupNotifier(stores: Stores): GroupNotifier {
  return {
    async notify(notification) {
      const { inserted } = await enqueueMessage(stores, {
        tenantId: notification.tenantId,
        idempotencyKey: notification.idempotencyKey,
        ...outboxFieldsOf(notification),
      });
      return { queued: inserted };
    },
  };
}
