import { buildIcs, chinaWorkCalendar, explainUnavailable, formatForViewer, isoWeekOf, offerSlots, toZoned, type Panelist, type SlotQuery } from '../../domain/scheduling';
import { scopeOf } from '../../domain/access-scope';
import { AppError, notFound } from '../../domain/errors';
import { actorRef, hrRoles, requireRole, type AnyPrincipal, type CandidatePrincipal, type Principal } from '../../domain/principal';
import type { GroupTarget } from '../../ports/group-notifier';
import type { FeatureContext, Stores } from '../context';
import { tellOriginChatConfirmed } from '../group-chat/origin';
import { newInvitation } from '../identity';
import { notifyEmployee } from '../notifications';
import { enqueueMessage } from '../outbox';
import { candidateMessageChannel, describeSlot, ownInterview, reminderPolicyOf, remindersFor, validTarget } from './index';
import type { InterviewForAnswer } from './interview-store';

/** How slots are offered to candidates; working hours and holidays come from the scheduling domain's defaults. */
export const slotSettings = { windowDays: 14, stepMinutes: 30, bufferMinutes: 15, minNoticeMinutes: 12 * 60, maxSlots: 50 } as const;

const minute = 60_000;
const interviewNotFound = () => notFound('Interview', '面试');


/** The panel as the slot domain sees it: busy time from our bookings (other interviews), limits and counts. */
async function slotQuery(stores: Stores, interview: InterviewForAnswer, from: Date, to: Date, now: Date): Promise<SlotQuery> {
  const zone = interview.tenantTimeZone;
  const loads = await stores.interviews.panelLoad(interview.tenantId, interview.id, new Date(from.getTime() - 8 * 86_400_000), new Date(to.getTime() + 8 * 86_400_000), now);
  const panel: Panelist[] = loads.map((load) => {
    const byDay: Record<string, number> = {};
    const byWeek: Record<string, number> = {};
    for (const b of load.busy) {
      const date = toZoned(b.startsAt.getTime(), zone).date;
      byDay[date] = (byDay[date] ?? 0) + 1;
      const week = isoWeekOf(date);
      byWeek[week] = (byWeek[week] ?? 0) + 1;
    }
    return {
      id: load.employeeId, name: load.name, busy: load.busy, dailyLimit: load.dailyLimit, weeklyLimit: load.weeklyLimit,
      interviewsByDay: byDay, interviewsByWeek: byWeek,
    };
  });
  // Never past the last year whose holidays are known: a window into an unknown year would offer its holidays.
  const lastKnownYear = Math.max(...chinaWorkCalendar.years);
  const yearEnd = new Date(Date.UTC(lastKnownYear + 1, 0, 1) - 8 * 3600_000);
  return {
    from, to: to < yearEnd ? to : yearEnd, now, timeZone: zone, durationMinutes: interview.durationMinutes,
    stepMinutes: slotSettings.stepMinutes, bufferBeforeMinutes: slotSettings.bufferMinutes, bufferAfterMinutes: slotSettings.bufferMinutes,
    minNoticeMinutes: slotSettings.minNoticeMinutes, calendar: chinaWorkCalendar, panel, maxSlots: slotSettings.maxSlots,
  };
}

/** Times the candidate may move to: the whole panel free (with buffers), working hours on workdays, within limits. */
export async function listOwnSlots(ctx: FeatureContext, principal: CandidatePrincipal, interviewId: string, query: { from?: string }) {
  const now = ctx.clock.now();
  const interview = await ownInterview(ctx.stores, principal, interviewId, false);
  const from = query.from && new Date(query.from) > now ? new Date(query.from) : now;
  const to = new Date(from.getTime() + slotSettings.windowDays * 86_400_000);
  const q = await slotQuery(ctx.stores, interview, from, to, now);
  if (q.to <= q.from) return { items: [], truncated: false };
  const { slots, truncated } = offerSlots(q);
  const viewer = interview.candidateTimeZone ?? interview.tenantTimeZone;
  return {
    items: slots.map((s) => ({ startsAt: s.start, endsAt: s.end, label: formatForViewer({ start: s.start, end: s.end }, viewer, interview.tenantTimeZone) })),
    truncated,
  };
}

/** Refuses a time the candidate could not have been offered, with every reason (holiday, busy panel, limits…). */
async function assertOfferable(stores: Stores, interview: InterviewForAnswer, startsAt: Date, endsAt: Date, now: Date) {
  const reasons = explainUnavailable(await slotQuery(stores, interview, startsAt, new Date(endsAt.getTime() + minute), now), startsAt);
  if (reasons.length > 0) {
    throw new AppError('SLOT_UNAVAILABLE', `这个时间不能预约：${reasons[0]!.message}。This time cannot be booked.`, reasons.map((r) => ({ path: 'body.startsAt', message: r.message })));
  }
}

interface MoveInput {
  readonly startsAt: string;
  readonly reason: string;
}

async function move(
  ctx: FeatureContext,
  stores: Stores,
  interview: InterviewForAnswer,
  actor: AnyPrincipal,
  input: MoveInput,
  options: { status: 'scheduled' | 'confirmed'; countsAsReschedule: boolean; checkSlot: boolean; requestId: string },
) {
  const now = ctx.clock.now();
  const startsAt = new Date(input.startsAt);
  const endsAt = new Date(startsAt.getTime() + interview.durationMinutes * minute);
  if (options.checkSlot) {
    await assertOfferable(stores, interview, startsAt, endsAt, now);
  } else if (startsAt <= now) {
    throw new AppError('VALIDATION_FAILED', '请求参数不正确。The request has invalid fields.', [{ path: 'body.startsAt', message: '面试时间已过 The time has passed' }]);
  }
  // The old time is released and the new one booked in this transaction: the exclusion constraints decide races
  // for the same time (the first writer wins, the other gets BOOKING_CONFLICT).
  await stores.interviews.releaseBookings(interview.tenantId, interview.id);
  await stores.interviews.book(interview.tenantId, interview.id, { employeeIds: interview.panel.map((p) => p.id), roomId: interview.roomId, from: startsAt, to: endsAt, now });
  const version = await stores.interviews.moveInterview(interview.tenantId, interview.id, {
    startsAt, endsAt, status: options.status, confirmedAt: options.status === 'confirmed' ? now : null, countsAsReschedule: options.countsAsReschedule, now,
  });
  await stores.interviews.insertScheduleVersion({
    tenantId: interview.tenantId, interviewId: interview.id, version, startsAt, endsAt, roomId: interview.roomId, location: interview.location,
    meetingUrl: interview.meetingUrl, changedBy: actorRef(actor), reason: input.reason || null, now,
  });
  const surveyDelay = await stores.surveys.delayMinutes(interview.tenantId);
  await stores.interviews.resetReminders(
    interview.tenantId,
    interview.id,
    remindersFor(startsAt, now, interview.panel, interview.ownerHrId ?? interview.panel[0]!.id, { endsAt, delayMinutes: surveyDelay }, await reminderPolicyOf(stores, interview.tenantId)),
    now,
  );
  await stores.surveys.schedule(interview.tenantId, interview.id, new Date(endsAt.getTime() + surveyDelay * minute), now);
  await enqueueMessage(stores, {
    tenantId: interview.tenantId, channel: 'calendar_sync', recipient: interview.id, payload: { interviewId: interview.id, action: 'upsert' },
    idempotencyKey: `calendar:${interview.id}:v${version}`,
  });
  const when = describeSlot(startsAt, endsAt, interview.tenantTimeZone);
  const was = interview.startsAt && interview.endsAt ? describeSlot(interview.startsAt, interview.endsAt, interview.tenantTimeZone) : '待定';
  for (const member of interview.panel) {
    if (member.status !== 'active') continue;
    await notifyEmployee(stores, {
      tenantId: interview.tenantId, platformUserId: member.platformUserId, key: `interview:${interview.id}:v${version}:panel:${member.id}`,
      message: {
        kind: 'card', cardId: `interview-${interview.id}-v${version}-${member.id}`.slice(0, 64),
        title: `面试改期：${interview.jobTitle}·${interview.roundName}`, description: `候选人：${interview.candidateName}`,
        fields: [{ label: '新时间', value: when }, { label: '原时间', value: was }, ...(input.reason ? [{ label: '原因', value: input.reason }] : [])],
        buttons: [{ key: `interview:${interview.id}:kit`, text: '查看面试包', style: 'primary' }],
      },
    });
  }
  const viewer = interview.candidateTimeZone ?? interview.tenantTimeZone;
  const label = formatForViewer({ start: startsAt, end: endsAt }, viewer, interview.tenantTimeZone);
  await enqueueMessage(stores, {
    tenantId: interview.tenantId, channel: candidateMessageChannel, recipient: interview.candidateId, idempotencyKey: `interview:${interview.id}:v${version}:candidate`,
    payload: options.status === 'confirmed'
      ? { interviewId: interview.id, message: { kind: 'text', text: `已为您改到 ${label}，「${interview.jobTitle}」${interview.roundName}。面试前我们会再提醒您。` } }
      : {
          interviewId: interview.id,
          message: {
            kind: 'choices',
            prompt: `您「${interview.jobTitle}」的${interview.roundName}改到了 ${label}${input.reason ? `（${input.reason}）` : ''}。`,
            choices: [
              { id: `interview:${interview.id}:confirm`, label: '确认参加' },
              { id: `interview:${interview.id}:reschedule`, label: '改个时间' },
              { id: `interview:${interview.id}:decline`, label: '婉拒' },
            ],
          },
        },
  });
  await stores.audit.append({
    tenantId: interview.tenantId, actor: actorRef(actor), action: 'interview.reschedule', objectType: 'interview', objectId: interview.id,
    reason: input.reason || null, requestId: options.requestId, details: { from: interview.startsAt?.toISOString() ?? null, to: startsAt.toISOString(), version },
  });
  return { id: interview.id, status: options.status, startsAt: startsAt.toISOString(), endsAt: endsAt.toISOString(), scheduleVersion: version };
}

/**
 * The candidate moves their interview to an offered time, within the job's policy: not closer to the start than the
 * reschedule notice, at most `maxReschedules` times, with a reason when the policy asks for one. Outside it the
 * answer is SELF_SERVICE_CLOSED with the way to HR. The new time counts as confirmed (they chose it).
 */
export async function rescheduleOwnInterview(ctx: FeatureContext, principal: CandidatePrincipal, interviewId: string, input: MoveInput, requestId: string) {
  const now = ctx.clock.now();
  return ctx.transact(async (stores) => {
    const interview = await ownInterview(stores, principal, interviewId, true);
    if (!['scheduled', 'confirmed'].includes(interview.status)) throw new AppError('INVALID_TRANSITION', '这场面试已不能改期。This interview can no longer be rescheduled.');
    const policy = await stores.interviews.policy(interview.tenantId, interview.jobId);
    if (interview.startsAt && interview.startsAt.getTime() - now.getTime() < policy.rescheduleNoticeMinutes * minute) {
      const hours = Math.round((policy.rescheduleNoticeMinutes / 60) * 10) / 10;
      throw new AppError('SELF_SERVICE_CLOSED', `距离面试开始已不足 ${hours} 小时，不能自助改期，请联系 HR。Less than ${hours} h before the start: please contact HR.`);
    }
    if (interview.rescheduleCount >= policy.maxReschedules) {
      throw new AppError('SELF_SERVICE_CLOSED', `已改期 ${interview.rescheduleCount} 次，达到上限，请联系 HR。The reschedule limit is reached: please contact HR.`);
    }
    if (policy.reasonRequired && input.reason.trim().length === 0) {
      throw new AppError('VALIDATION_FAILED', '请求参数不正确。The request has invalid fields.', [{ path: 'body.reason', message: '请说明改期原因 A reason is required' }]);
    }
    return move(ctx, stores, interview, principal, input, { status: 'confirmed', countsAsReschedule: true, checkSlot: true, requestId });
  });
}

/** HR moves an interview (policy does not apply; double booking still cannot happen). The candidate confirms again. */
export async function rescheduleInterview(ctx: FeatureContext, principal: Principal, interviewId: string, input: MoveInput, requestId: string) {
  requireRole(principal, hrRoles);
  return ctx.transact(async (stores) => {
    const interview = await stores.interviews.findForAnswer(principal.tenantId, interviewId, { lock: true });
    if (!interview || !(await stores.jobs.findJob(principal.tenantId, interview.jobId, { scope: scopeOf(principal) }))) throw interviewNotFound();
    if (!['scheduled', 'confirmed', 'awaiting_candidate'].includes(interview.status)) {
      throw new AppError('INVALID_TRANSITION', '这场面试已不能改期。This interview can no longer be rescheduled.');
    }
    return move(ctx, stores, interview, principal, input, { status: 'scheduled', countsAsReschedule: false, checkSlot: false, requestId });
  });
}

/**
 * My interview as an .ics file: DTSTART/DTEND with TZID in the candidate's zone (VTIMEZONE included), a stable UID
 * and the schedule version as SEQUENCE, so a calendar app replaces the copy it has after a reschedule.
 */
export async function ownInterviewIcs(ctx: FeatureContext, principal: CandidatePrincipal, interviewId: string) {
  const interview = await ownInterview(ctx.stores, principal, interviewId, false);
  if (!interview.startsAt || !interview.endsAt) throw new AppError('CONFLICT', '面试时间尚未确定。The time is not set yet.');
  const cancelled = ['cancelled', 'declined', 'no_show'].includes(interview.status);
  const body = buildIcs(
    [
      {
        uid: `interview-${interview.id}@hirebridge`,
        start: interview.startsAt,
        end: interview.endsAt,
        summary: `面试：${interview.jobTitle}·${interview.roundName}`,
        location: interview.mode === 'video' ? (interview.meetingUrl ?? '视频面试') : interview.location,
        timeZone: interview.candidateTimeZone ?? interview.tenantTimeZone,
        dtstamp: ctx.clock.now(),
        sequence: interview.scheduleVersion,
        status: cancelled ? 'CANCELLED' : interview.status === 'confirmed' ? 'CONFIRMED' : 'TENTATIVE',
      },
    ],
    { method: 'PUBLISH' },
  );
  return { body, filename: `interview-${interview.id}.ics` };
}

/** How long a tapped time is held for the candidate while they confirm it. */
export const holdMinutes = 10;

/**
 * HR offers times instead of fixing one: the interview waits for the candidate (awaiting_candidate), nothing is
 * booked yet, and the invitation links to the slot picker. The panel is told when the candidate has chosen.
 */
export async function offerInterview(
  ctx: FeatureContext,
  principal: Principal,
  applicationId: string,
  input: { roundId: string; mode: 'onsite' | 'video' | 'phone'; location: string; meetingUrl: string | null; roomId: string | null; panel: { employeeId: string; role: 'lead' | 'member' | 'shadow' }[] },
  links: { invitationUrl: (token: string) => string },
  /** The group chat the request came from (verified by the caller): told when the candidate has chosen. */
  options: { origin?: GroupTarget } = {},
) {
  requireRole(principal, hrRoles);
  const now = ctx.clock.now();
  return ctx.transact(async (stores) => {
    const { target, round, modelId } = await validTarget(stores, principal, applicationId, input.roundId, input.panel);
    const interviewId = await stores.interviews.insertInterview({
      tenantId: principal.tenantId, applicationId, roundId: round.id, modelId, startsAt: null, endsAt: null,
      mode: input.mode, location: input.location, meetingUrl: input.meetingUrl, roomId: input.roomId, ownerHrId: principal.employeeId, now,
    });
    await stores.interviews.insertPanel(principal.tenantId, interviewId, input.panel);
    if (options.origin) await stores.groupChat.setOrigin(principal.tenantId, interviewId, options.origin);
    if (target.stage === 'applied' || target.stage === 'screening') {
      await stores.applications.moveApplication(principal.tenantId, applicationId, { from: target.stage as 'applied', to: 'interviewing', actorId: principal.employeeId, reason: null, at: now });
    }
    const invitation = await newInvitation(stores, now, { tenantId: principal.tenantId, applicationId, interviewId, createdBy: actorRef(principal) });
    if (!invitation) throw notFound('Application', '申请');
    await enqueueMessage(stores, {
      tenantId: principal.tenantId, channel: candidateMessageChannel, recipient: target.candidateId, idempotencyKey: `invite:${interviewId}:offer`,
      payload: {
        interviewId,
        message: { kind: 'text', text: `您好，${target.candidateName}！诚邀您参加「${target.jobTitle}」${round.name}，请在这里选择方便的时间：${links.invitationUrl(invitation.token)}` },
      },
    });
    await stores.audit.append({ tenantId: principal.tenantId, actor: actorRef(principal), action: 'interview.offer', objectType: 'interview', objectId: interviewId, details: { applicationId } });
    return { id: interviewId, status: 'awaiting_candidate', invitationUrl: links.invitationUrl(invitation.token) };
  });
}

/** The candidate taps a time: it is held for them for ten minutes; another candidate tapping the same time loses. */
export async function holdSlot(ctx: FeatureContext, principal: CandidatePrincipal, interviewId: string, startsAtIso: string) {
  const now = ctx.clock.now();
  return ctx.transact(async (stores) => {
    const interview = await ownInterview(stores, principal, interviewId, true);
    if (!['awaiting_candidate', 'scheduled', 'confirmed'].includes(interview.status)) throw new AppError('INVALID_TRANSITION', '这场面试已不能选时间。This interview can no longer be timed.');
    const startsAt = new Date(startsAtIso);
    const endsAt = new Date(startsAt.getTime() + interview.durationMinutes * minute);
    await assertOfferable(stores, interview, startsAt, endsAt, now);
    const expiresAt = new Date(now.getTime() + holdMinutes * minute);
    await stores.interviews.hold(interview.tenantId, interviewId, { employeeIds: interview.panel.map((p) => p.id), from: startsAt, to: endsAt, expiresAt, now });
    return { startsAt: startsAt.toISOString(), endsAt: endsAt.toISOString(), holdExpiresAt: expiresAt.toISOString() };
  });
}

/** The candidate confirms the time they chose for an offered interview: booked, version 1, reminders, messages. */
export async function chooseSlot(ctx: FeatureContext, principal: CandidatePrincipal, interviewId: string, startsAtIso: string, requestId: string) {
  return ctx.transact(async (stores) => {
    const interview = await ownInterview(stores, principal, interviewId, true);
    if (interview.status !== 'awaiting_candidate') throw new AppError('INVALID_TRANSITION', '这场面试的时间已经定了。This interview already has a time.');
    const chosen = await move(ctx, stores, interview, principal, { startsAt: startsAtIso, reason: '' }, { status: 'confirmed', countsAsReschedule: false, checkSlot: true, requestId });
    // Offered from a group command: the group hears the chosen time, as it does a confirmation.
    await tellOriginChatConfirmed(stores, { ...interview, scheduleVersion: chosen.scheduleVersion }, describeSlot(new Date(chosen.startsAt), new Date(chosen.endsAt), interview.tenantTimeZone));
    return chosen;
  });
}

/** Offered times inside [from, to) for the candidate's interview, at most `limit`, labelled for the candidate. */
export async function slotsWithin(ctx: FeatureContext, principal: CandidatePrincipal, interviewId: string, from: Date, to: Date, limit: number) {
  const now = ctx.clock.now();
  const interview = await ownInterview(ctx.stores, principal, interviewId, false);
  const q = await slotQuery(ctx.stores, interview, from < now ? now : from, to, now);
  if (q.to <= q.from) return [];
  const viewer = interview.candidateTimeZone ?? interview.tenantTimeZone;
  return offerSlots({ ...q, maxSlots: limit }).slots.map((s) => ({
    startsAt: s.start,
    label: formatForViewer({ start: s.start, end: s.end }, viewer, interview.tenantTimeZone),
  }));
}
