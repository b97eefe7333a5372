import type { SubscriptionOutcome } from './index';

/** A web page cannot receive subscription messages: say so, and ask nothing (Taro's H5 stand-in would "succeed"). */
export async function requestReminders(_templateIds: readonly string[]): Promise<SubscriptionOutcome> {
  return { supported: false, accepted: [] };
}
