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
