import type { z } from 'zod';
import type { OfferInterview, ScheduleInterview } from '../../../contracts/interviews';
import { AppError } from '../../domain/errors';
import { actorRef, hrRoles, requireRole, type Principal } from '../../domain/principal';
import type { GroupTarget } from '../../ports/group-notifier';
import type { FeatureContext, Stores } from '../context';
import { originTargetOf } from '../group-chat/origin';
import { scheduleInterview } from '../interviews';
import { offerInterview } from '../interviews/reschedule';

/**
 * A chat named by a bot request (约面's origin group, 订阅's group), with the server's record of the message the
 * command came from: `requestId` is what the server audited `bot.command` under when it admitted the sender.
 */
export interface BotChatRef {
  readonly platform: 'wecom' | 'dingtalk';
  readonly chatId: string;
  readonly requestId: string;
}

/** How long a received message vouches for its chat: the bot session it opened lives 300 s; some slack for slow work. */
export const botCommandMaxAgeSeconds = 600;

const notVerified = () =>
  new AppError('CHAT_NOT_VERIFIED', '无法确认这个群：只能对您刚刚 @我 发消息的群操作。This chat is not the one your message came from.');

/**
 * The chat a bot request names, checked against what the server actually received: a `bot.command` record with that
 * request id, written for this employee when their message arrived from exactly this group chat. The message proves
 * both that the bot is in the chat and that the requester is. Anything else (a chat id the client made up, another
 * person's message, a 1:1 chat, an unknown id) is CHAT_NOT_VERIFIED.
 */
export async function botChatOf(stores: Stores, principal: Principal, ref: BotChatRef): Promise<GroupTarget> {
  // Only a message of the last few minutes (the bot session's life): an old message id proves nothing about now.
  const record = ref.requestId ? await stores.bot.botCommand(principal.tenantId, ref.requestId.slice(0, 100), botCommandMaxAgeSeconds) : undefined;
  if (!record || record.actor !== `employee:${principal.employeeId}` || record.chatType !== 'group' || record.platform !== ref.platform || record.chatId !== ref.chatId) {
    throw notVerified();
  }
  const target = originTargetOf({ platform: ref.platform, chatType: 'group', chatId: ref.chatId });
  if (!target) throw notVerified();
  return target;
}

/** botChatOf, with a refusal audited (committed on its own, so it survives the refused request). */
export async function requireBotChat(ctx: FeatureContext, principal: Principal, ref: BotChatRef, purpose: string, requestId: string): Promise<GroupTarget> {
  try {
    return await botChatOf(ctx.stores, principal, ref);
  } catch (error) {
    if (error instanceof AppError && error.code === 'CHAT_NOT_VERIFIED') {
      await ctx.stores.audit.append({
        tenantId: principal.tenantId, actor: actorRef(principal), action: 'bot.chat_refused', objectType: 'bot_chat', objectId: null,
        requestId, details: { purpose, platform: ref.platform, chatId: ref.chatId.slice(0, 200), botRequestId: ref.requestId.slice(0, 100) },
      });
    }
    throw error;
  }
}

/**
 * 约面 from a group: the interview is scheduled exactly as HR would (scheduleInterview), and the verified origin chat is
 * stored with it in the same transaction — so the group is told when the candidate confirms, and a confirmation can
 * never arrive before the interview knows its group.
 */
export async function scheduleFromChat(
  ctx: FeatureContext,
  principal: Principal,
  applicationId: string,
  input: ScheduleInterview,
  origin: BotChatRef,
  links: { invitationUrl: (token: string) => string; interviewUrl: (interviewId: string) => string },
  requestId: string,
) {
  requireRole(principal, hrRoles);
  const target = await requireBotChat(ctx, principal, origin, 'interview.schedule', requestId);
  return scheduleInterview(ctx, principal, applicationId, input, links, { origin: target });
}

/** 约面 … 让候选人选时间 from a group: the offer remembers the verified group, which hears the time the candidate picks. */
export async function offerFromChat(
  ctx: FeatureContext,
  principal: Principal,
  applicationId: string,
  input: z.infer<typeof OfferInterview>,
  origin: BotChatRef,
  links: { invitationUrl: (token: string) => string },
  requestId: string,
) {
  requireRole(principal, hrRoles);
  const target = await requireBotChat(ctx, principal, origin, 'interview.offer', requestId);
  return offerInterview(ctx, principal, applicationId, input, links, { origin: target });
}
