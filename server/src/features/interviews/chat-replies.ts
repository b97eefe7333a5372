import { AppError } from '../../domain/errors';
import type { CandidatePrincipal } from '../../domain/principal';
import type { FeatureContext } from '../context';
import type { InboxHandler } from '../inbox';
import { notifyEmployee } from '../notifications';
import { enqueueMessage } from '../outbox';
import { candidateMessageChannel, confirmInterview, declineInterview } from './index';

const menuPattern = /^interview:([0-9a-f-]{36}):(confirm|reschedule|decline|rebook|withdraw)$/;

async function reply(ctx: FeatureContext, principal: CandidatePrincipal, key: string, text: string, interviewId: string) {
  await ctx.transact((stores) =>
    enqueueMessage(stores, {
      tenantId: principal.tenantId,
      channel: candidateMessageChannel,
      recipient: principal.candidateId,
      idempotencyKey: key,
      payload: { interviewId, message: { kind: 'text', text } },
    }),
  );
}

/** After a no-show the candidate answers the one rebook offer; the owning HR acts on it (a person decides). */
async function tellOwningHr(ctx: FeatureContext, principal: CandidatePrincipal, interviewId: string, action: 'rebook' | 'withdraw', requestId: string) {
  await ctx.transact(async (stores) => {
    const interview = await stores.interviews.findForAnswer(principal.tenantId, interviewId);
    if (!interview || interview.candidateId !== principal.candidateId || interview.status !== 'no_show') {
      throw new AppError('NOT_FOUND', '找不到该面试。Not found.');
    }
    const owner = interview.ownerHrId ? (await stores.interviews.employees(principal.tenantId, [interview.ownerHrId]))[0] : undefined;
    if (owner?.status === 'active') {
      await notifyEmployee(stores, {
        tenantId: principal.tenantId, platformUserId: owner.platformUserId, key: `interview:${interviewId}:${action}:hr`,
        message: {
          kind: 'text',
          text: action === 'rebook'
            ? `候选人 ${interview.candidateName} 希望重新预约「${interview.jobTitle}」${interview.roundName}，请为其安排新时间。`
            : `候选人 ${interview.candidateName} 表示不再参加「${interview.jobTitle}」的面试，请决定该申请的下一步。`,
        },
      });
    }
    await stores.audit.append({ tenantId: principal.tenantId, actor: `candidate:${principal.candidateId}`, action: `interview.${action}_request`, objectType: 'interview', objectId: interviewId, requestId });
  });
}

/**
 * A tap on the invitation's 微信客服 menu (确认参加 / 改个时间 / 婉拒) arrives as `kf.menu_click` with the menu id we
 * sent. It acts as the candidate bound to that WeChat user — never for anyone else — and answers in the chat. A tap
 * from someone not bound to a candidate, or a stale id, is answered politely and changes nothing.
 */
export const kfMenuClickHandler: InboxHandler = async (event, ctx) => {
  const payload = event.payload as { candidateId?: string | null; menuId?: string; msgid?: string };
  const match = menuPattern.exec(payload.menuId ?? '');
  if (!match || !payload.candidateId) return;
  const [, interviewId, action] = match as unknown as [string, string, 'confirm' | 'reschedule' | 'decline' | 'rebook' | 'withdraw'];
  const principal: CandidatePrincipal = { kind: 'candidate', tenantId: event.tenantId, candidateId: payload.candidateId, invitationId: null };
  const key = `kf-reply:${payload.msgid ?? event.id}`;
  try {
    if (action === 'confirm') {
      await confirmInterview(ctx, principal, interviewId, `inbox:${event.id}`);
      await reply(ctx, principal, key, '已为您确认参加，期待与您见面！面试前我们会再提醒您。', interviewId);
    } else if (action === 'decline') {
      await declineInterview(ctx, principal, interviewId, '候选人在微信客服中婉拒', `inbox:${event.id}`);
      await reply(ctx, principal, key, '已为您取消这场面试。感谢您的时间，如方便可回复婉拒原因，帮助我们改进。', interviewId);
    } else if (action === 'rebook' || action === 'withdraw') {
      await tellOwningHr(ctx, principal, interviewId, action, `inbox:${event.id}`);
      await reply(ctx, principal, key, action === 'rebook' ? '收到，HR 会尽快为您重新安排时间。' : '收到，感谢您的告知，祝一切顺利。', interviewId);
    } else {
      await reply(ctx, principal, key, '好的，请回复您方便的时间，例如“改到周四下午”或“下周二上午十点”，HR 会尽快为您安排。', interviewId);
    }
  } catch (error) {
    if (!(error instanceof AppError)) throw error;
    // The candidate gets the reason in words (closed self-service, a past or changed interview); nothing changed.
    await reply(ctx, principal, key, error.code === 'NOT_FOUND' ? '没有找到这场面试，请联系 HR。' : error.message.split('。')[0] + '。', interviewId);
  }
};
