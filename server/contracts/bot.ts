import { z } from 'zod';
import { Id, Timestamp } from './common';

/**
 * What the HR bot (bot/) asks the server for, beyond the ordinary HR API: reading natural Chinese time in the
 * tenant's zone, and chart images. The bot calls these as the employee who wrote the command.
 */

export const ParseTimeRequest = z
  .object({
    text: z.string().max(200).describe('What the person wrote, e.g. 明天下午3点, 下周二上午十点半, 周五14:00-15:00'),
    defaultDurationMinutes: z.number().int().min(5).max(480).optional().describe('An exact time without an end lasts this long'),
  })
  .strict();
export type ParseTimeRequest = z.infer<typeof ParseTimeRequest>;

export const TimeReadingBody = z.object({
  kind: z.enum(['exact', 'window']),
  start: Timestamp,
  end: Timestamp.nullable(),
  date: z.string().describe('Local date (YYYY-MM-DD) of the start in the tenant zone'),
  label: z.string().describe('Chinese, for buttons: 6月5日（周五）15:00–16:00'),
  text: z.string().describe('Canonical text that reads back to this same reading; what a button sends back'),
  warning: z.string().nullable().describe('e.g. the day is a public holiday or weekend; never refused'),
});
export type TimeReadingBody = z.infer<typeof TimeReadingBody>;

export const ParsedTime = z
  .discriminatedUnion('kind', [
    TimeReadingBody.extend({ kind: z.literal('exact') }),
    TimeReadingBody.extend({ kind: z.literal('window') }),
    z.object({
      kind: z.literal('ambiguous'),
      question: z.string().describe('Chinese question to ask back'),
      options: z.array(TimeReadingBody).min(1).describe('Readings to offer as buttons, most plausible first'),
    }),
    z.object({
      kind: z.literal('invalid'),
      code: z.string().describe('Stable reason code: unrecognized, empty, too_long, past, no_such_date, bad_time, …'),
      message: z.string().describe('Chinese, with an example of what works'),
    }),
  ])
  .meta({ id: 'ParsedTime' });
export type ParsedTime = z.infer<typeof ParsedTime>;

export const ChartPeriod = z
  .enum(['7d', '30d', '90d', 'month', 'quarter', 'year'])
  .describe('近7天, 近30天, 近90天, 本月, 本季度, 本年');
export type ChartPeriod = z.infer<typeof ChartPeriod>;

export const FunnelQuery = z.object({ jobId: Id, period: ChartPeriod.default('30d') });
export const NoShowChartQuery = z.object({ period: ChartPeriod.default('30d') });

export const FunnelStep = z.object({ stage: z.string(), label: z.string(), count: z.number().int().min(0) });
export const Funnel = z
  .object({
    jobId: Id,
    jobTitle: z.string(),
    period: ChartPeriod,
    from: Timestamp,
    to: Timestamp,
    steps: z.array(FunnelStep),
    rejected: z.number().int().min(0),
    withdrawn: z.number().int().min(0),
  })
  .meta({ id: 'Funnel' });
export type Funnel = z.infer<typeof Funnel>;

/** A PNG picture (the bot sends it as an image; the H5 HR view shows it in an <img>). */
export const PngFile = z.object({ body: z.custom<Uint8Array>((v) => v instanceof Uint8Array), filename: z.string() });

export const AgendaQuery = z.object({ range: z.enum(['today', 'week']).default('today') });
export const Agenda = z
  .object({
    range: z.enum(['today', 'week']),
    from: Timestamp,
    to: Timestamp,
    timeZone: z.string(),
    items: z.array(
      z.object({
        interviewId: Id,
        status: z.string(),
        startsAt: Timestamp,
        endsAt: Timestamp,
        jobTitle: z.string(),
        roundName: z.string(),
        candidateName: z.string(),
        panel: z.array(z.string()),
        mark: z.enum(['confirmed', 'unconfirmed', 'late', 'checked_in', 'no_show']).describe('已确认, 未确认, 已过开始时间仍未确认, 已签到, 未到场'),
      }),
    ),
  })
  .meta({ id: 'Agenda' });
export type Agenda = z.infer<typeof Agenda>;

export const ResolveEmployees = z.object({ platformUserIds: z.array(z.string().min(1).max(100)).min(1).max(20) }).strict();
export const ResolvedEmployees = z.object({
  employees: z.array(z.object({ platformUserId: z.string(), employeeId: Id, name: z.string() })),
  unknown: z.array(z.string()).describe('Ids that are not active employees of the tenant'),
});
export type ResolvedEmployees = z.infer<typeof ResolvedEmployees>;


export const CandidateInterviews = z
  .object({
    items: z.array(
      z.object({
        interviewId: Id,
        applicationId: Id,
        jobTitle: z.string(),
        roundName: z.string(),
        status: z.string(),
        startsAt: Timestamp.nullable(),
        endsAt: Timestamp.nullable(),
        confirmedAt: Timestamp.nullable(),
      }),
    ),
  })
  .meta({ id: 'CandidateInterviews' });
export type CandidateInterviews = z.infer<typeof CandidateInterviews>;

/** 面评进度 → 催办: one interviewer's late scorecard nudged now (at most once an hour per interview and interviewer). */
export const ScorecardNudgeParams = z.object({ interviewId: Id, interviewerId: Id });
export const ManualNudge = z
  .object({
    interviewId: Id,
    interviewerId: Id,
    interviewerName: z.string(),
    sentAt: Timestamp,
    nextAllowedAt: Timestamp.describe('The next manual nudge of this interviewer for this interview is refused before this'),
  })
  .meta({ id: 'ManualNudge' });
export type ManualNudge = z.infer<typeof ManualNudge>;

/** 同步: the roster sync run now for the caller's tenant (admin or HR), in numbers. */
export const RosterSyncResult = z
  .object({
    startedAt: Timestamp,
    finishedAt: Timestamp,
    added: z.number().int().min(0),
    updated: z.number().int().min(0),
    left: z.number().int().min(0).describe('Left the company or disabled on the platform'),
    unchanged: z.number().int().min(0),
    departments: z.object({ added: z.number().int().min(0), updated: z.number().int().min(0), unchanged: z.number().int().min(0) }),
    errors: z.array(z.object({ code: z.string(), message: z.string() })).describe('What the run could not settle, e.g. departments gone from the platform'),
  })
  .meta({ id: 'RosterSyncResult' });
export type RosterSyncResult = z.infer<typeof RosterSyncResult>;

/** 导出: interviews and scores of a period in the caller's scope, as an .xlsx sent 1:1 to the caller as a link. */
export const ExportRequest = z.object({ period: ChartPeriod.default('30d') }).strict();
export const ExportSent = z
  .object({
    rows: z.number().int().min(0),
    filename: z.string(),
    expiresAt: Timestamp.describe('The link works once, until this time (10 minutes)'),
  })
  .meta({ id: 'ExportSent' });
export type ExportSent = z.infer<typeof ExportSent>;
export const ExportToken = z.object({ token: z.string().regex(/^[A-Za-z0-9_-]{20,100}$/) });
export const XlsxFile = z.object({ body: z.custom<Uint8Array>((v) => v instanceof Uint8Array), filename: z.string() });

/** 订阅 / 取消订阅: the daily digest (今日's agenda) posted into a group chat at a local time in the tenant's zone. */
export const DigestSubscription = z
  .object({
    platform: z.enum(['wecom', 'dingtalk']),
    chatId: z.string().min(1).max(200),
    time: z.string().regex(/^([01]?[0-9]|2[0-3])[:：][0-5][0-9]$/).describe('Local time, e.g. 9:00 or 09:30'),
  })
  .strict();
export const DigestChat = z.object({ platform: z.enum(['wecom', 'dingtalk']), chatId: z.string().min(1).max(200) }).strict();
export const DigestSubscribed = z
  .object({ localTime: z.string(), timeZone: z.string(), nextRunAt: Timestamp })
  .meta({ id: 'DigestSubscribed' });
export const DigestUnsubscribed = z.object({ removed: z.boolean() });

/** 报表: the same period vocabulary as the charts; scoped like the funnel (the caller's departments). */
export const ReportPeriodQuery = z.object({ period: ChartPeriod.default('30d') });

/** 招聘周期: days from the application to the hired stage, for applications hired in the period, per job. */
export const TimeToHireJob = z.object({
  jobId: Id,
  jobTitle: z.string(),
  hires: z.number().int().min(1),
  medianDays: z.number().min(0).describe('Median days from application created to hired, one decimal'),
  p90Days: z.number().min(0).describe('90th percentile (nearest rank), one decimal'),
  meanDays: z.number().min(0).describe('Mean, one decimal'),
});
export const TimeToHire = z
  .object({
    period: ChartPeriod,
    from: Timestamp,
    to: Timestamp,
    hires: z.number().int().min(0).describe('All hires in the period in scope'),
    medianDays: z.number().min(0).nullable().describe('Over all jobs; null without hires'),
    p90Days: z.number().min(0).nullable(),
    jobs: z.array(TimeToHireJob).describe('Slowest median first'),
  })
  .meta({ id: 'TimeToHire' });
export type TimeToHire = z.infer<typeof TimeToHire>;

/** 面试官负荷: interviews (not cancelled or declined) per panelist starting in the period, busiest first. */
export const InterviewerLoad = z
  .object({
    period: ChartPeriod,
    from: Timestamp,
    to: Timestamp,
    items: z.array(z.object({ name: z.string(), interviews: z.number().int().min(0) })),
  })
  .meta({ id: 'InterviewerLoad' });
export type InterviewerLoad = z.infer<typeof InterviewerLoad>;

/** 未到场率 by job over a named period (the table beside /api/charts/no-shows.png). */
export const NoShowsByJob = z
  .object({
    period: ChartPeriod,
    from: Timestamp,
    to: Timestamp,
    items: z.array(z.object({ key: z.string(), label: z.string(), interviews: z.number().int().min(0), noShows: z.number().int().min(0), rate: z.number() })),
  })
  .meta({ id: 'NoShowsByJob' });
export type NoShowsByJob = z.infer<typeof NoShowsByJob>;
