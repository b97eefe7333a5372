import Taro from '@tarojs/taro';
import { api } from '../api/client';
import type { SubscriptionOutcome } from './index';

type Choice = 'accept' | 'reject' | 'ban' | 'filter';

/**
 * One prompt for all our templates (WeChat allows up to three per call, and only from a tap). Each "允许" is one
 * send right; the server records the balance so reminders pick the subscription channel only when it is there.
 */
export async function requestReminders(templateIds: readonly string[]): Promise<SubscriptionOutcome> {
  if (templateIds.length === 0) return { supported: true, accepted: [] };
  const ids = templateIds.slice(0, 3);
  const answer = (await Taro.requestSubscribeMessage({ tmplIds: ids, entityIds: [] })) as unknown as Record<string, string>;
  const results: Record<string, Choice> = {};
  for (const id of ids) {
    const choice = answer[id];
    if (choice === 'accept' || choice === 'reject' || choice === 'ban' || choice === 'filter') results[id] = choice;
  }
  if (Object.keys(results).length === 0) return { supported: true, accepted: [] };
  const recorded = await api<{ accepted: string[] }>('POST', '/api/candidate/subscriptions', { results });
  return { supported: true, accepted: recorded.accepted };
}
