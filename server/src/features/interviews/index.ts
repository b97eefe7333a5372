import type { GroupTarget } from '../../ports/group-notifier';
import type { ScheduleInterview } from '../../../contracts/interviews';
import { scopeOf } from '../../domain/access-scope';
import { formatForViewer } from '../../domain/scheduling';
import { AppError, notFound } from '../../domain/errors';
import { actorRef, hrRoles, requireRole, type CandidatePrincipal, type Principal } from '../../domain/principal';
import { assertTransition } from '../../domain/state-machines';
import type { FeatureContext, Stores } from '../context';
import { tellOriginChatConfirmed } from '../group-chat/origin';
import { newInvitation } from '../identity';
import { notifyEmployee } from '../notifications';
import { enqueueMessage } from '../outbox';
import type { InterviewForAnswer, NewReminder, ReminderPolicy } from './interview-store';

export type { InterviewStore, SchedulingTarget, InterviewForAnswer, PanelEmployee, NewReminder } from './interview-store';

/** The outbox channel for messages to a candidate; the platform layer sends it through the CandidateMessenger. */
export const candidateMessageChannel = 'candidate_message';
/** The outbox channel the calendar sync serves (adapters/calendar): payload `{interviewId, action}`. */
const calendarChannel = 'calendar_sync';

const minute = 60_000;
const interviewNotFound = () => notFound('Interview', '面试');

/** When reminders go out, per tenant (null turns that reminder off). */
export type { ReminderPolicy };

/** The issue's defaults: candidate T-24h and T-2h, panel T-30m with the kit link, HR at T-24h if still unconfirmed. */
export const defaultReminderPolicy: ReminderPolicy = { candidateMinutes: [1440, 120], panelMinutes: 30, unconfirmedAlertMinutes: 1440 };

/** The tenant's reminder policy, or the defaults. */
export async function reminderPolicyOf(stores: Stores, tenantId: string): Promise<ReminderPolicy> {
  return (await stores.interviews.reminderPolicy(tenantId)) ?? defaultReminderPolicy;
}

/** `t24h`, `t2h`, `t30m`, `t90m`: the reminder's kind names its offset. */
const offsetLabel = (minutes: number) => (minutes % 60 === 0 ? `t${minutes / 60}h` : `t${minutes}m`);

export function remindersFor(
  startsAt: Date,
  now: Date,
  panel: readonly { id: string }[],
  ownerHrId: string,
  survey?: { readonly endsAt: Date; readonly delayMinutes: number },
  policy: ReminderPolicy = defaultReminderPolicy,
): NewReminder[] {
  const at = (minutesBefore: number) => new Date(startsAt.getTime() - minutesBefore * minute);
  const all: NewReminder[] = [
    ...policy.candidateMinutes.map((m) => ({ kind: `candidate_${offsetLabel(m)}`, audience: 'candidate' as const, recipientEmployeeId: null, dueAt: at(m) })),
    ...(policy.unconfirmedAlertMinutes !== null
      ? [{ kind: `unconfirmed_${offsetLabel(policy.unconfirmedAlertMinutes)}`, audience: 'hr' as const, recipientEmployeeId: ownerHrId, dueAt: at(policy.unconfirmedAlertMinutes) }]
      : []),
    ...(policy.panelMinutes !== null
      ? panel.map((p) => ({ kind: `panel_${offsetLabel(policy.panelMinutes!)}`, audience: 'panelist' as const, recipientEmployeeId: p.id, dueAt: at(policy.panelMinutes!) }))
      : []),
    // The survey goes out a while after the end, if the interview took place (decided when it is due).
    ...(survey ? [{ kind: 'survey', audience: 'candidate' as const, recipientEmployeeId: null, dueAt: new Date(survey.endsAt.getTime() + survey.delayMinutes * minute) }] : []),
  ];
  // A reminder whose moment has passed at scheduling time is not created (the invitation itself says it all).
  return all.filter((r) => r.dueAt > now);
}

/** 11月24日（周二）10:00–11:00 in the given zone (the scheduling domain's rendering). */
export function describeSlot(startsAt: Date, endsAt: Date, timeZone: string): string {
  return formatForViewer({ start: startsAt, end: endsAt }, timeZone, timeZone);
}

/**
 * HR schedules an interview at a fixed time: the panel and room are booked (the database refuses any double booking,
 * also under races), the schedule's first version is written, reminders are queued, the panel's calendars get the
 * event, each panelist gets a card, and the candidate gets the invitation with 确认参加 / 改个时间 / 婉拒 — all in one
 * transaction, so either all of it happens or none.
 */
export async function scheduleInterview(
  ctx: FeatureContext,
  principal: Principal,
  applicationId: string,
  input: ScheduleInterview,
  links: { invitationUrl: (token: string) => string; interviewUrl: (interviewId: string) => string },
  /** The group chat the request came from (verified by the caller): told when the candidate confirms. */
  options: { origin?: GroupTarget } = {},
): Promise<{ id: string; status: string; startsAt: string; endsAt: string; scheduleVersion: number; invitationUrl: string }> {
  requireRole(principal, hrRoles);
  const now = ctx.clock.now();
  const startsAt = new Date(input.startsAt);
  if (startsAt <= now) {
    throw new AppError('VALIDATION_FAILED', '请求参数不正确。The request has invalid fields.', [{ path: 'body.startsAt', message: '面试时间已过 The time has passed' }]);
  }
  return ctx.transact(async (stores) => {
    const { target, round, modelId, panel } = await validTarget(stores, principal, applicationId, input.roundId, input.panel);
    const endsAt = new Date(startsAt.getTime() + round.durationMinutes * minute);
    const interviewId = await stores.interviews.insertInterview({
      tenantId: principal.tenantId, applicationId, roundId: round.id, modelId, startsAt, endsAt,
      mode: input.mode, location: input.location, meetingUrl: input.meetingUrl, roomId: input.roomId, ownerHrId: principal.employeeId, now,
    });
    await stores.interviews.insertPanel(principal.tenantId, interviewId, input.panel);
    if (options.origin) await stores.groupChat.setOrigin(principal.tenantId, interviewId, options.origin);
    await stores.interviews.book(principal.tenantId, interviewId, { employeeIds: input.panel.map((p) => p.employeeId), roomId: input.roomId, from: startsAt, to: endsAt, now });
    await stores.interviews.insertScheduleVersion({
      tenantId: principal.tenantId, interviewId, version: 1, startsAt, endsAt, roomId: input.roomId, location: input.location,
      meetingUrl: input.meetingUrl, changedBy: actorRef(principal), reason: null, now,
    });
    const surveyDelay = await stores.surveys.delayMinutes(principal.tenantId);
    const policy = await reminderPolicyOf(stores, principal.tenantId);
    await stores.interviews.insertReminders(principal.tenantId, interviewId, remindersFor(startsAt, now, panel, principal.employeeId, { endsAt, delayMinutes: surveyDelay }, policy), now);
    await stores.surveys.schedule(principal.tenantId, interviewId, new Date(endsAt.getTime() + surveyDelay * minute), now);
    if (target.stage === 'applied' || target.stage === 'screening') {
      await stores.applications.moveApplication(principal.tenantId, applicationId, { from: target.stage as 'applied', to: 'interviewing', actorId: principal.employeeId, reason: null, at: now });
    }
    await enqueueMessage(stores, {
      tenantId: principal.tenantId, channel: calendarChannel, recipient: interviewId,
      payload: { interviewId, action: 'upsert' }, idempotencyKey: `calendar:${interviewId}:v1`,
    });
    const when = describeSlot(startsAt, endsAt, target.tenantTimeZone);
    for (const member of panel) {
      await notifyEmployee(stores, {
        tenantId: principal.tenantId,
        platformUserId: member.platformUserId,
        key: `interview:${interviewId}:v1:panel:${member.id}`,
        message: {
          kind: 'card',
          cardId: `interview-${interviewId}-v1-${member.id}`.slice(0, 64),
          title: `面试安排：${target.jobTitle}·${round.name}`,
          description: `候选人：${target.candidateName}`,
          fields: [{ label: '时间', value: when }, { label: '地点', value: input.mode === 'video' ? '视频面试' : input.location || '待定' }],
          url: links.interviewUrl(interviewId),
          buttons: [{ key: `interview:${interviewId}:kit`, text: '查看面试包', style: 'primary' }],
        },
      });
    }
    const invitation = await newInvitation(stores, now, { tenantId: principal.tenantId, applicationId, interviewId, createdBy: actorRef(principal) });
    if (!invitation) throw notFound('Application', '申请');
    await enqueueMessage(stores, {
      tenantId: principal.tenantId, channel: candidateMessageChannel, recipient: target.candidateId,
      idempotencyKey: `invite:${interviewId}:v1`,
      payload: {
        interviewId,
        message: {
          kind: 'choices',
          prompt: `您好，${target.candidateName}！诚邀您参加「${target.jobTitle}」${round.name}：${when}（北京时间），${input.mode === 'video' ? '视频面试' : `地点：${input.location || '待定'}`}。`,
          choices: [
            { id: `interview:${interviewId}:confirm`, label: '确认参加' },
            { id: `interview:${interviewId}:reschedule`, label: '改个时间' },
            { id: `interview:${interviewId}:decline`, label: '婉拒' },
          ],
          footer: `详情与隐私说明：${links.invitationUrl(invitation.token)}`,
        },
      },
    });
    await stores.audit.append({
      tenantId: principal.tenantId, actor: actorRef(principal), action: 'interview.schedule', objectType: 'interview', objectId: interviewId,
      details: { applicationId, startsAt: startsAt.toISOString(), panel: input.panel.map((p) => p.employeeId) },
    });
    return { id: interviewId, status: 'scheduled', startsAt: startsAt.toISOString(), endsAt: endsAt.toISOString(), scheduleVersion: 1, invitationUrl: links.invitationUrl(invitation.token) };
  });
}

/**
 * What scheduling needs, checked: the application in the principal's scope and still open, the round of its job, the
 * job's competency model, and a panel of active employees of this tenant.
 */
export async function validTarget(
  stores: Stores,
  principal: Principal,
  applicationId: string,
  roundId: string,
  requested: readonly { employeeId: string }[],
) {
  if (!(await stores.applications.findApplication(principal.tenantId, applicationId, { lock: true, scope: scopeOf(principal) }))) {
    throw notFound('Application', '申请');
  }
  const target = await stores.interviews.schedulingTarget(principal.tenantId, applicationId, roundId);
  if (!target) throw notFound('Application', '申请');
  if (!target.round) throw notFound('Interview round', '面试轮次');
  if (!target.modelId) throw new AppError('INVALID_TRANSITION', '职位还没有胜任力模型。The job has no competency model yet.');
  if (['hired', 'rejected', 'withdrawn'].includes(target.stage)) {
    throw new AppError('INVALID_TRANSITION', '该申请已结束，不能再安排面试。The application is closed.');
  }
  const panel = await stores.interviews.employees(principal.tenantId, requested.map((p) => p.employeeId));
  const unusable = requested.findIndex((p) => !panel.some((e) => e.id === p.employeeId && e.status === 'active'));
  if (unusable >= 0) {
    throw new AppError('VALIDATION_FAILED', '请求参数不正确。The request has invalid fields.', [
      { path: `body.panel.${unusable}.employeeId`, message: '不是本公司在职员工 Not an active employee here' },
    ]);
  }
  return { target, round: target.round, modelId: target.modelId, panel };
}

/** The candidate's own interview (an invitation session: only that invitation's), or 404 like an unknown id. */
export async function ownInterview(stores: Stores, principal: CandidatePrincipal, interviewId: string, lock = true): Promise<InterviewForAnswer> {
  const interview = await stores.interviews.findForAnswer(principal.tenantId, interviewId, { lock });
  if (!interview || interview.candidateId !== principal.candidateId) throw interviewNotFound();
  if (principal.invitationId) {
    const limit = await stores.privacy.invitationApplication(principal.tenantId, principal.invitationId);
    if (limit !== interview.applicationId) throw interviewNotFound();
  }
  return interview;
}

/** A text to every active panelist, once per key. */
export async function tellPanel(stores: Stores, interview: InterviewForAnswer, key: string, text: string) {
  for (const member of interview.panel) {
    if (member.status !== 'active') continue;
    await notifyEmployee(stores, { tenantId: interview.tenantId, platformUserId: member.platformUserId, key: `${key}:${member.id}`, message: { kind: 'text', text } });
  }
}

/** The candidate confirms (mini-app tap or chat menu). Confirming twice is fine; a past interview cannot be confirmed. */
export async function confirmInterview(ctx: FeatureContext, principal: CandidatePrincipal, interviewId: string, requestId: string) {
  const now = ctx.clock.now();
  return ctx.transact(async (stores) => {
    const interview = await ownInterview(stores, principal, interviewId);
    if (interview.status === 'confirmed') return { id: interviewId, status: 'confirmed', confirmedAt: null };
    if (!interview.startsAt || interview.startsAt <= now) throw new AppError('CONFLICT', '面试时间已过。The interview time has passed.');
    assertTransition('interview', interview.status as 'scheduled', 'confirmed');
    if (!(await stores.interviews.setStatus(interview.tenantId, interviewId, interview.status, 'confirmed', { confirmedAt: now }, now))) {
      throw new AppError('CONFLICT', '面试状态已变化，请刷新。The interview changed; reload.');
    }
    const when = describeSlot(interview.startsAt, interview.endsAt!, interview.tenantTimeZone);
    await tellPanel(stores, interview, `interview:${interviewId}:v${interview.scheduleVersion}:confirmed`, `候选人 ${interview.candidateName} 已确认参加「${interview.jobTitle}」${interview.roundName}（${when}）。`);
    // Scheduled from a group command: the group hears it, in this transaction (issue 7).
    await tellOriginChatConfirmed(stores, interview, when);
    await stores.audit.append({ tenantId: interview.tenantId, actor: actorRef(principal), action: 'interview.confirm', objectType: 'interview', objectId: interviewId, requestId });
    return { id: interviewId, status: 'confirmed', confirmedAt: now.toISOString() };
  });
}

/**
 * The candidate declines with a reason. Closer to the start than the job's cancel notice, self-service is closed and
 * the answer says to contact HR (SELF_SERVICE_CLOSED); HR can still cancel. Bookings are released, reminders
 * cancelled, the calendar event removed and the panel told — in one transaction.
 */
export async function declineInterview(ctx: FeatureContext, principal: CandidatePrincipal, interviewId: string, reason: string, requestId: string) {
  const now = ctx.clock.now();
  return ctx.transact(async (stores) => {
    const interview = await ownInterview(stores, principal, interviewId);
    if (interview.status === 'declined') return { id: interviewId, status: 'declined', confirmedAt: null };
    assertTransition('interview', interview.status as 'scheduled', 'declined');
    const policy = await stores.interviews.policy(interview.tenantId, interview.jobId);
    if (interview.startsAt && interview.startsAt.getTime() - now.getTime() < policy.cancelNoticeMinutes * minute) {
      const hours = Math.round((policy.cancelNoticeMinutes / 60) * 10) / 10;
      throw new AppError('SELF_SERVICE_CLOSED', `距离面试开始已不足 ${hours} 小时，请直接联系 HR。Less than ${hours} h before the start: please contact HR.`);
    }
    if (!(await stores.interviews.setStatus(interview.tenantId, interviewId, interview.status, 'declined', { declineReason: reason }, now))) {
      throw new AppError('CONFLICT', '面试状态已变化，请刷新。The interview changed; reload.');
    }
    await stores.interviews.releaseBookings(interview.tenantId, interviewId);
    await stores.interviews.cancelReminders(interview.tenantId, interviewId, now);
    await stores.surveys.expire(interview.tenantId, interviewId);
    await enqueueMessage(stores, {
      tenantId: interview.tenantId, channel: calendarChannel, recipient: interviewId,
      payload: { interviewId, action: 'upsert' }, idempotencyKey: `calendar:${interviewId}:declined`,
    });
    await tellPanel(stores, interview, `interview:${interviewId}:declined`, `候选人 ${interview.candidateName} 婉拒了「${interview.jobTitle}」${interview.roundName}，已为您释放该时段。`);
    await stores.audit.append({ tenantId: interview.tenantId, actor: actorRef(principal), action: 'interview.decline', objectType: 'interview', objectId: interviewId, reason, requestId });
    return { id: interviewId, status: 'declined', confirmedAt: null };
  });
}

/** HR cancels (any time before it starts): the same releases as a decline, and the candidate is told. */
export async function cancelInterview(ctx: FeatureContext, principal: Principal, interviewId: string, reason: string, requestId: string) {
  requireRole(principal, hrRoles);
  const now = ctx.clock.now();
  return ctx.transact(async (stores) => {
    const interview = await stores.interviews.findForAnswer(principal.tenantId, interviewId, { lock: true });
    if (!interview || !(await stores.jobs.findJob(principal.tenantId, interview.jobId, { scope: scopeOf(principal) }))) throw interviewNotFound();
    if (interview.status === 'cancelled') return { id: interviewId, status: 'cancelled', confirmedAt: null };
    assertTransition('interview', interview.status as 'scheduled', 'cancelled');
    if (!(await stores.interviews.setStatus(interview.tenantId, interviewId, interview.status, 'cancelled', { cancelReason: reason }, now))) {
      throw new AppError('CONFLICT', '面试状态已变化，请刷新。The interview changed; reload.');
    }
    await stores.interviews.releaseBookings(interview.tenantId, interviewId);
    await stores.interviews.cancelReminders(interview.tenantId, interviewId, now);
    await stores.surveys.expire(interview.tenantId, interviewId);
    await enqueueMessage(stores, {
      tenantId: interview.tenantId, channel: calendarChannel, recipient: interviewId,
      payload: { interviewId, action: 'upsert' }, idempotencyKey: `calendar:${interviewId}:cancelled`,
    });
    await tellPanel(stores, interview, `interview:${interviewId}:cancelled`, `「${interview.jobTitle}」${interview.roundName}（候选人 ${interview.candidateName}）已取消：${reason}`);
    await enqueueMessage(stores, {
      tenantId: interview.tenantId, channel: candidateMessageChannel, recipient: interview.candidateId, idempotencyKey: `interview:${interviewId}:cancelled`,
      payload: { interviewId, message: { kind: 'text', text: `很抱歉，您「${interview.jobTitle}」的${interview.roundName}已取消。HR 会尽快与您联系。` } },
    });
    await stores.audit.append({ tenantId: interview.tenantId, actor: actorRef(principal), action: 'interview.cancel', objectType: 'interview', objectId: interviewId, reason, requestId });
    return { id: interviewId, status: 'cancelled', confirmedAt: null };
  });
}
