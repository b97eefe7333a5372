import { AppError } from '../../domain/errors';
import type { CandidatePrincipal } from '../../domain/principal';
import type { FeatureContext } from '../context';
import type { InboxHandler } from '../inbox';
import { notifyEmployee } from '../notifications';
import { enqueueMessage } from '../outbox';
import { candidateMessageChannel, confirmInterview, declineInterview } from './index';
import { parseTime, type TimeReading } from '../../domain/natural-time';
import { chinaWorkCalendar, isWorkday } from '../../domain/scheduling';
import { chooseSlot, rescheduleOwnInterview, slotsWithin } from './reschedule';

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
  if (!payload.candidateId) return;
  const key0 = `kf-reply:${payload.msgid ?? event.id}`;
  const asCandidate: CandidatePrincipal = { kind: 'candidate', tenantId: event.tenantId, candidateId: payload.candidateId, invitationId: null };
  if (await handleTimeChoice(ctx, asCandidate, payload.menuId ?? '', key0, `inbox:${event.id}`)) return;
  const match = menuPattern.exec(payload.menuId ?? '');
  if (!match) return;
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

// —— Free text: "改到周四下午" ————————————————————————————————————————————————————————————————————

/** Menu ids stay under 64 bytes: `p:<interview>:<start minute, base 36>` picks a time, `w:…:<from>:<to>` a window. */
const minuteId = (at: Date | string) => Math.floor(new Date(at).getTime() / 60_000).toString(36);
const fromMinuteId = (id: string) => new Date(parseInt(id, 36) * 60_000);
const pickPattern = /^p:([0-9a-f-]{36}):([0-9a-z]{1,8})$/;
const windowPattern = /^w:([0-9a-f-]{36}):([0-9a-z]{1,8}):([0-9a-z]{1,8})$/;

async function offerWithin(ctx: FeatureContext, principal: CandidatePrincipal, interviewId: string, from: Date, to: Date, key: string, heading: string) {
  let slots = await slotsWithin(ctx, principal, interviewId, from, to, 3);
  let prompt = heading;
  if (slots.length === 0) {
    slots = await slotsWithin(ctx, principal, interviewId, from, new Date(from.getTime() + 14 * 86_400_000), 3);
    prompt = slots.length > 0 ? '这个时间段面试官都没有空，最近可以的时间是：' : '最近两周面试官都没有空，HR 会与您联系。';
  }
  await ctx.transact((stores) =>
    enqueueMessage(stores, {
      tenantId: principal.tenantId, channel: candidateMessageChannel, recipient: principal.candidateId, idempotencyKey: key,
      payload: slots.length > 0
        ? { interviewId, message: { kind: 'choices', prompt, choices: slots.map((s) => ({ id: `p:${interviewId}:${minuteId(s.startsAt)}`, label: s.label.slice(0, 40) })) } }
        : { interviewId, message: { kind: 'text', text: prompt } },
    }),
  );
}

const windowOf = (reading: TimeReading, minutes: number) => ({
  from: reading.start,
  to: reading.kind === 'window' ? reading.end : new Date((reading.end ?? reading.start).getTime() + minutes * 60_000),
});

/**
 * A candidate writes a time in the chat ("改到周四下午", "明天上午可以吗"). The text is parsed in the tenant's zone; a
 * clear time or window is answered with up to three free times in it as menu choices (nothing changes until one is
 * tapped); an ambiguous one is asked back with its readings as choices; a message with no time in it is left to HR.
 */
export const kfTextHandler: InboxHandler = async (event, ctx) => {
  const payload = event.payload as { candidateId?: string | null; content?: string; msgid?: string };
  if (!payload.candidateId || !payload.content) return;
  const principal: CandidatePrincipal = { kind: 'candidate', tenantId: event.tenantId, candidateId: payload.candidateId, invitationId: null };
  const now = ctx.clock.now();
  const open = await ctx.stores.interviews.nextOpenInterviewOf(event.tenantId, payload.candidateId, now);
  const tenant = open && (await ctx.stores.directory.findTenant(event.tenantId));
  if (!open || !tenant) return;
  const key = `kf-reply:${payload.msgid ?? event.id}`;
  const reading = parseTime(payload.content, { now, timeZone: tenant.timeZone, calendar: { isWorkday: (d) => isWorkday(d, chinaWorkCalendar) } });
  if (reading.kind === 'invalid') {
    if (reading.code === 'unrecognized' || reading.code === 'empty' || reading.code === 'too_long') return;
    await reply(ctx, principal, key, reading.reason, open.id);
    return;
  }
  if (reading.kind === 'ambiguous') {
    await ctx.transact((stores) =>
      enqueueMessage(stores, {
        tenantId: principal.tenantId, channel: candidateMessageChannel, recipient: principal.candidateId, idempotencyKey: key,
        payload: {
          interviewId: open.id,
          message: {
            kind: 'choices',
            prompt: reading.question,
            choices: reading.options.slice(0, 4).map((o) => {
              const w = windowOf(o, 60);
              return { id: `w:${open.id}:${minuteId(w.from)}:${minuteId(w.to)}`, label: o.label.slice(0, 40) };
            }),
          },
        },
      }),
    );
    return;
  }
  const w = windowOf(reading, 60);
  await offerWithin(ctx, principal, open.id, w.from, w.to, key, `${reading.label}可以的时间：`);
};

/** A tap on one of the times offered in the chat: chooses it (an offered interview) or moves the interview there. */
export async function handleTimeChoice(ctx: FeatureContext, principal: CandidatePrincipal, menuId: string, key: string, requestId: string): Promise<boolean> {
  const pick = pickPattern.exec(menuId);
  const window = windowPattern.exec(menuId);
  if (!pick && !window) return false;
  const interviewId = (pick ?? window)![1]!;
  try {
    if (window) {
      await offerWithin(ctx, principal, interviewId, fromMinuteId(window[2]!), fromMinuteId(window[3]!), key, '这个时间段可以的时间：');
      return true;
    }
    const startsAt = fromMinuteId(pick![2]!).toISOString();
    const interview = await ctx.stores.interviews.findForAnswer(principal.tenantId, interviewId);
    // Success is told by the move itself (its confirmation message to the candidate).
    if (interview?.status === 'awaiting_candidate') await chooseSlot(ctx, principal, interviewId, startsAt, requestId);
    else await rescheduleOwnInterview(ctx, principal, interviewId, { startsAt, reason: '候选人在微信客服中改期' }, requestId);
  } catch (error) {
    if (!(error instanceof AppError)) throw error;
    await reply(ctx, principal, key, error.code === 'NOT_FOUND' ? '没有找到这场面试，请联系 HR。' : error.message.split('。')[0] + '。', interviewId);
  }
  return true;
}
