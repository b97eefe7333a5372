import type { SubscriptionOutcome } from './index';

/** Asks for one-time subscription messages (reminders); replaced per platform. */
export async function requestReminders(_templateIds: readonly string[]): Promise<SubscriptionOutcome> {
  return { supported: false, accepted: [] };
}
