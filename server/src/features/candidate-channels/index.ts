import { AppError } from '../../domain/errors';
import type { FeatureContext } from '../context';
import type { CandidateChannelState } from './candidate-channel-store';

export type {
  CandidateChannelStore,
  CandidateChannelState,
  KfInvitation,
  KfLink,
  KfReservation,
  OwningHr,
  SubscriptionReservation,
} from './candidate-channel-store';

// https://developer.work.weixin.qq.com/document/path/94677 : replies only within 48 h of the customer's last
// message, at most 5 per customer message.
export const kfReplyWindowMs = 48 * 3_600_000;
export const kfRepliesPerCustomerMessage = 5;

/** What the 微信客服 window allows right now. */
export function kfWindowOf(state: CandidateChannelState | undefined, now: Date): { open: boolean; remaining: number; closesAt: Date | null } {
  const kf = state?.kf;
  if (!kf?.lastCustomerMessageAt) return { open: false, remaining: 0, closesAt: null };
  const closesAt = new Date(kf.lastCustomerMessageAt.getTime() + kfReplyWindowMs);
  const remaining = closesAt > now ? Math.max(0, kfRepliesPerCustomerMessage - kf.sentSinceCustomerMessage) : 0;
  return { open: remaining > 0, remaining, closesAt };
}

export type SubscriptionChoice = 'accept' | 'reject' | 'ban' | 'filter';

/**
 * The mini-program reports what the candidate answered to wx.requestSubscribeMessage. Each "accept" is one send
 * right for that template; the other answers grant nothing.
 * https://developers.weixin.qq.com/miniprogram/dev/api/open-api/subscribe-message/wx.requestSubscribeMessage.html
 */
export async function recordSubscriptionResults(
  ctx: FeatureContext,
  tenantId: string,
  candidateId: string,
  results: Readonly<Record<string, SubscriptionChoice>>,
): Promise<{ accepted: string[] }> {
  const accepted = Object.entries(results)
    .filter(([, choice]) => choice === 'accept')
    .map(([templateId]) => templateId);
  const state = await ctx.stores.candidateChannels.find(tenantId, candidateId);
  if (!state?.miniProgram) {
    throw new AppError('CONFLICT', '候选人尚未登录小程序，无法记录订阅。The candidate has not signed in to the mini-program.');
  }
  if (accepted.length > 0) await ctx.stores.candidateChannels.addSubscriptionAcceptances(tenantId, candidateId, accepted, ctx.clock.now());
  return { accepted };
}
