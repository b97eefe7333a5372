import type { CandidateMessenger } from '../../ports/candidate-messenger';
import type { FeatureContext } from '../context';
import { describeSlot } from '../interviews';
import { notifyEmployee } from '../notifications';
import type { ClaimedReminder, ReminderOutcome } from './reminder-store';

export type { ReminderStore, ClaimedReminder, ReminderOutcome } from './reminder-store';

/** A reminder that would arrive later than this before the start is no longer useful: it is skipped, with the reason. */
export const stillUsefulMinutes = 10;
const maxAttempts = 5;
const live = new Set(['scheduled', 'confirmed', 'checked_in']);

export interface ReminderDispatchResult {
  claimed: number;
  sent: number;
  skipped: number;
  failed: number;
  retried: number;
}

function kitLinkNote(reminder: ClaimedReminder): string {
  return reminder.interview.mode === 'video' ? '视频面试' : reminder.interview.location || '地点待定';
}

/**
 * Sends what is due. Each reminder is decided at send time, not when it was queued: an interview no longer live or
 * already confirmed skips it (with the reason), and after downtime a reminder that would arrive less than ten minutes
 * before the start is skipped as too late rather than sent uselessly — never silently dropped. Candidates are reached
 * through the CandidateMessenger (subscription → 微信客服 → a call task for HR), whose channel and result are
 * recorded on the reminder; employees through the outbox (ChatNotifier).
 */
export async function dispatchDueReminders(
  ctx: FeatureContext,
  messenger: CandidateMessenger,
  options: { batchSize?: number; leaseMs?: number; surveyUrl?: (interviewId: string) => string } = {},
): Promise<ReminderDispatchResult> {
  const now = ctx.clock.now();
  const claimed = await ctx.stores.reminders.claimDue(options.batchSize ?? 50, now, new Date(now.getTime() + (options.leaseMs ?? 60_000)));
  const result: ReminderDispatchResult = { claimed: claimed.length, sent: 0, skipped: 0, failed: 0, retried: 0 };
  for (const reminder of claimed) {
    let outcome: ReminderOutcome;
    try {
      outcome = await decideAndSend(ctx, messenger, reminder, now, options.surveyUrl ?? ((id) => `pages/survey/index?interview=${id}`));
    } catch (error) {
      if (reminder.attempts >= maxAttempts) {
        outcome = { status: 'failed', channel: null, result: { error: (error as Error).message.slice(0, 500) } };
      } else {
        await ctx.stores.reminders.release(reminder.id, (error as Error).message, ctx.clock.now());
        result.retried++;
        continue;
      }
    }
    await ctx.stores.reminders.finish(reminder.id, outcome, ctx.clock.now());
    result[outcome.status]++;
  }
  return result;
}

async function decideAndSend(
  ctx: FeatureContext,
  messenger: CandidateMessenger,
  reminder: ClaimedReminder,
  now: Date,
  surveyUrl: (interviewId: string) => string,
): Promise<ReminderOutcome> {
  const { interview } = reminder;
  if (reminder.kind === 'survey') {
    // Only an interview that took place is asked about; otherwise the survey expires here, with the reason kept.
    if (!['checked_in', 'in_progress', 'completed'].includes(interview.status)) {
      await ctx.stores.surveys.expire(reminder.tenantId, reminder.interviewId);
      return { status: 'skipped', channel: null, skipReason: `interview_${interview.status}` };
    }
    const delivery = await messenger.send({
      tenantId: reminder.tenantId,
      candidateId: interview.candidateId,
      idempotencyKey: `reminder:${reminder.id}`,
      interviewId: reminder.interviewId,
      message: { kind: 'text', text: `感谢您参加「${interview.jobTitle}」${interview.roundName}。请花 1 分钟为这次面试体验打分（0–10）：${surveyUrl(reminder.interviewId)}` },
    });
    if (delivery.outcome === 'undeliverable') return { status: 'failed', channel: null, result: { attempts: delivery.attempts } };
    await ctx.stores.surveys.markSent(reminder.tenantId, reminder.interviewId, ctx.clock.now());
    return { status: 'sent', channel: delivery.channel, result: { outcome: delivery.outcome, attempts: delivery.attempts } };
  }
  if (!live.has(interview.status) || !interview.startsAt || !interview.endsAt) {
    return { status: 'skipped', channel: null, skipReason: `interview_${interview.status}` };
  }
  if (reminder.kind.startsWith('unconfirmed_')) {
    if (interview.status !== 'scheduled') return { status: 'skipped', channel: null, skipReason: 'already_confirmed' };
  } else if (interview.startsAt.getTime() - now.getTime() < stillUsefulMinutes * 60_000) {
    return { status: 'skipped', channel: null, skipReason: 'too_late' };
  }
  const when = describeSlot(interview.startsAt, interview.endsAt, interview.timeZone);

  if (reminder.audience === 'candidate') {
    const delivery = await messenger.send({
      tenantId: reminder.tenantId,
      candidateId: interview.candidateId,
      idempotencyKey: `reminder:${reminder.id}`,
      interviewId: reminder.interviewId,
      message: {
        kind: 'interview_reminder',
        interview: { title: `${interview.jobTitle}·${interview.roundName}`, startsAt: interview.startsAt, location: kitLinkNote(reminder) },
        page: `pages/invite/index?id=${reminder.interviewId}`,
      },
    });
    if (delivery.outcome === 'undeliverable') return { status: 'failed', channel: null, result: { attempts: delivery.attempts } };
    return {
      status: 'sent',
      channel: delivery.channel,
      result: { outcome: delivery.outcome, attempts: delivery.attempts, ...(delivery.outcome === 'hr_call_task' && { hrEmployeeId: delivery.hrEmployeeId }) },
    };
  }

  if (!reminder.recipient || reminder.recipient.status !== 'active') {
    return { status: 'skipped', channel: null, skipReason: 'recipient_not_active' };
  }
  const recipient = reminder.recipient;
  const text = reminder.kind.startsWith('unconfirmed_')
    ? `【待确认】候选人 ${interview.candidateName} 还没有确认「${interview.jobTitle}」${interview.roundName}（${when}），请跟进。`
    : `【面试提醒】${Math.round((interview.startsAt.getTime() - now.getTime()) / 60_000)} 分钟后：「${interview.jobTitle}」${interview.roundName}，候选人 ${interview.candidateName}，${when}，${kitLinkNote(reminder)}。`;
  await ctx.transact((stores) =>
    notifyEmployee(stores, { tenantId: reminder.tenantId, platformUserId: recipient.platformUserId, key: `reminder:${reminder.id}`, message: { kind: 'text', text } }),
  );
  return { status: 'sent', channel: 'employee_chat', result: { outcome: 'queued' } };
}

/** When the next reminder is due, for the wake-up timer. */
export async function nextReminderDueAt(ctx: FeatureContext): Promise<Date | undefined> {
  return ctx.stores.reminders.nextDueAt();
}
