import { addDays, createWorkCalendar, fromZoned, isWorkday, parseLocalDate, toZoned, type WorkCalendar } from '../../domain/scheduling';
import type { FeatureContext } from '../context';
import { notifyEmployee } from '../notifications';
import type { ClaimedFollowup } from './copilot-store';
import { defaultScorecardDueMinutes } from './index';

const hour = 3_600_000;
const day = 24 * hour;
/** After this many nudges the queue stops nagging; HR still sees the card as late. */
const maxNudges = 10;
const maxAttempts = 5;

/**
 * The China calendar (national holidays and make-up workdays). A year without national data counts weekends only,
 * so a nudge is never blocked by a missing year; the scheduling domain documents how to add a year.
 */
const calendar: WorkCalendar = createWorkCalendar({ missingYear: 'weekends_only' });

/** The same local time of day, `count` working days after the local day of `at` (holidays and make-up days honoured). */
export function addBusinessDays(at: Date, count: number, timeZone: string, cal: WorkCalendar = calendar): Date {
  const local = toZoned(at.getTime(), timeZone);
  let date = local.date;
  for (let n = 0; n < count; ) {
    date = addDays(date, 1);
    if (isWorkday(date, cal)) n++;
  }
  const { year, month, day: d } = parseLocalDate(date);
  return new Date(fromZoned({ year, month, day: d, hour: local.hour, minute: local.minute, second: local.second }, timeZone));
}

/** When a panelist's follow-ups happen: due (configurable), first nudge 1 h after the end, escalation 2 business days after. */
export function followupPlan(endsAt: Date, dueMinutes: number | null, timeZone: string) {
  return {
    dueAt: new Date(endsAt.getTime() + (dueMinutes ?? defaultScorecardDueMinutes) * 60_000),
    nextAt: new Date(endsAt.getTime() + hour),
    escalateAt: addBusinessDays(endsAt, 2, timeZone),
  };
}

/** The interviewer's scorecard page in the H5 app, where every nudge leads. */
export const scorecardLink = (publicUrl: string, interviewId: string) => `${publicUrl}/h5/#/pages/interviewer/scorecard/index?id=${interviewId}`;

export interface NudgeDispatchResult {
  planned: number;
  claimed: number;
  nudged: number;
  escalated: number;
  done: number;
  retried: number;
}

/**
 * Plans follow-ups for interviews that ended, then works the due ones: a card with a deep link to the scorecard page
 * to the interviewer (1 h after the end, then daily), and once, after 2 business days, one to their manager from the
 * roster. A submitted scorecard, a cancelled or no-show interview, or a departed interviewer end the follow-ups.
 * The database is the queue (FOR UPDATE SKIP LOCKED with a lease), every message goes through the outbox.
 */
export async function dispatchDueNudges(
  ctx: FeatureContext,
  options: { publicUrl: string; batchSize?: number; leaseMs?: number },
): Promise<NudgeDispatchResult> {
  const now = ctx.clock.now();
  const batch = options.batchSize ?? 50;
  const result: NudgeDispatchResult = { planned: 0, claimed: 0, nudged: 0, escalated: 0, done: 0, retried: 0 };
  for (const row of await ctx.stores.copilot.unplannedFollowups(now, 500)) {
    await ctx.stores.copilot.insertFollowup({ ...row, ...followupPlan(row.endsAt, row.dueMinutes, row.timeZone), now });
    result.planned++;
  }
  const claimed = await ctx.stores.copilot.claimFollowups(batch, now, new Date(now.getTime() + (options.leaseMs ?? 60_000)));
  result.claimed = claimed.length;
  for (const followup of claimed) {
    try {
      const outcome = await ctx.transact((stores) => work({ ...ctx, stores }, followup, now, options.publicUrl));
      if (outcome === 'done') result.done++;
      if (outcome === 'nudged' || outcome === 'both') result.nudged++;
      if (outcome === 'escalated' || outcome === 'both') result.escalated++;
    } catch (error) {
      if (followup.attempts >= maxAttempts) {
        await ctx.stores.copilot.finishFollowup(followup.interviewId, followup.interviewerId, { done: `failed: ${(error as Error).message.slice(0, 200)}` }, now);
        result.done++;
      } else {
        await ctx.stores.copilot.releaseFollowup(followup.interviewId, followup.interviewerId, now);
        result.retried++;
      }
    }
  }
  return result;
}

async function work(ctx: FeatureContext, f: ClaimedFollowup, now: Date, publicUrl: string): Promise<'done' | 'nudged' | 'escalated' | 'both' | 'waiting'> {
  const { stores } = ctx;
  const finish = async (reason: string) => {
    await stores.copilot.finishFollowup(f.interviewId, f.interviewerId, { done: reason }, now);
    return 'done' as const;
  };
  const interview = await stores.copilot.interview(f.tenantId, f.interviewId);
  if (!interview) return finish('interview_gone');
  if (!['scheduled', 'confirmed', 'checked_in', 'in_progress', 'completed'].includes(interview.status)) return finish(`interview_${interview.status}`);
  const seat = interview.panel.find((p) => p.employeeId === f.interviewerId);
  if (!seat) return finish('not_on_panel');
  const card = await stores.copilot.scorecard(f.tenantId, f.interviewId, f.interviewerId);
  if (card?.status === 'submitted') return finish('submitted');
  if (seat.status !== 'active') return finish('interviewer_not_active');
  if (f.nudgesSent >= maxNudges) return finish('gave_up');

  const link = scorecardLink(publicUrl, f.interviewId);
  const title = `${interview.jobTitle}·${interview.roundName}`;
  let nudged = false;
  let escalated = false;
  if (f.nextAt <= now) {
    const n = f.nudgesSent + 1;
    const key = `nudge:${f.interviewId}:${f.interviewerId}:${n}`;
    const overdue = now > f.dueAt;
    await notifyEmployee(stores, {
      tenantId: f.tenantId, platformUserId: seat.platformUserId, key,
      message: {
        kind: 'card',
        cardId: `nudge-${f.interviewId}-${n}`.slice(0, 64),
        title: overdue ? `评分卡已逾期：${title}` : `请提交评分卡：${title}`,
        description: `候选人：${interview.candidateName}`,
        fields: [{ label: '截止', value: formatLocal(f.dueAt, interview.timeZone) }],
        url: link,
        buttons: [{ key: `scorecard:${f.interviewId}`, text: '去评分', style: 'primary' }],
      },
    });
    await stores.copilot.recordNudge({ tenantId: f.tenantId, interviewId: f.interviewId, interviewerId: f.interviewerId, kind: 'nudge', recipientId: seat.employeeId, outboxKey: `chat:${key}`, now });
    nudged = true;
  }
  if (!f.escalatedAt && f.escalateAt <= now) {
    const manager = seat.managerId ? await stores.copilot.employee(f.tenantId, seat.managerId) : undefined;
    if (manager && manager.status === 'active') {
      const key = `nudge:${f.interviewId}:${f.interviewerId}:escalation`;
      await notifyEmployee(stores, {
        tenantId: f.tenantId, platformUserId: manager.platformUserId, key,
        message: {
          kind: 'card',
          cardId: `nudge-esc-${f.interviewId}`.slice(0, 64),
          title: `团队成员评分卡逾期：${title}`,
          description: `${seat.name} 已超过 2 个工作日未提交「${title}」（候选人 ${interview.candidateName}）的评分卡，请协助跟进。`,
          fields: [{ label: '截止', value: formatLocal(f.dueAt, interview.timeZone) }],
          url: link,
          buttons: [],
        },
      });
      await stores.copilot.recordNudge({ tenantId: f.tenantId, interviewId: f.interviewId, interviewerId: f.interviewerId, kind: 'escalation', recipientId: manager.id, outboxKey: `chat:${key}`, now });
    }
    // Without an active manager on the roster nothing is sent; HR's late list still shows the card.
    escalated = true;
  }
  let next = nudged ? new Date(f.nextAt.getTime() + day) : f.nextAt;
  while (next <= now) next = new Date(next.getTime() + day);
  if (!f.escalatedAt && !escalated && f.escalateAt < next) next = f.escalateAt;
  await stores.copilot.finishFollowup(f.interviewId, f.interviewerId, { nextAt: next, nudged, escalated }, now);
  return nudged && escalated ? 'both' : nudged ? 'nudged' : escalated ? 'escalated' : 'waiting';
}

/** 11月27日 13:00 in `timeZone`: how nudges show a deadline. */
export function formatLocal(at: Date, timeZone: string): string {
  const z = toZoned(at.getTime(), timeZone);
  return `${z.month}月${z.day}日 ${z.time.slice(0, 5)}`;
}

export async function nextNudgeAt(ctx: FeatureContext): Promise<Date | undefined> {
  return ctx.stores.copilot.nextFollowupAt();
}
