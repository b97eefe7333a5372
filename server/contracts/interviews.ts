import { z } from 'zod';
import { Id, Timestamp } from './common';

export const PanelMember = z.object({
  employeeId: Id,
  role: z.enum(['lead', 'member', 'shadow']).default('member'),
});

/** HR schedules an interview at a fixed time (offering slots to the candidate comes with the slot picker). */
export const ScheduleInterview = z
  .object({
    roundId: Id,
    startsAt: Timestamp,
    mode: z.enum(['onsite', 'video', 'phone']).default('onsite'),
    location: z.string().trim().max(200).default(''),
    meetingUrl: z.url({ protocol: /^https$/ }).max(500).nullable().default(null),
    roomId: Id.nullable().default(null),
    panel: z.array(PanelMember).min(1).max(8),
  })
  .strict()
  .refine((v) => v.mode !== 'video' || v.meetingUrl !== null, { message: '视频面试需要会议链接 A video interview needs a meeting link', path: ['meetingUrl'] })
  .refine((v) => new Set(v.panel.map((p) => p.employeeId)).size === v.panel.length, { message: '面试官重复 A panelist is listed twice', path: ['panel'] });
export type ScheduleInterview = z.infer<typeof ScheduleInterview>;

export const ScheduledInterview = z
  .object({
    id: Id,
    status: z.string(),
    startsAt: Timestamp,
    endsAt: Timestamp,
    scheduleVersion: z.number().int(),
    invitationUrl: z.string().describe('The link for the candidate (also sent to them); shown once'),
  })
  .meta({ id: 'ScheduledInterview' });

export const DeclineInterview = z
  .object({ reason: z.string().trim().min(1).max(500) })
  .strict();

export const CandidateAnswer = z
  .object({ id: Id, status: z.string(), confirmedAt: Timestamp.nullable() })
  .meta({ id: 'CandidateAnswer' });

export const CancelInterview = z.object({ reason: z.string().trim().min(2).max(500) }).strict();

export const SchedulePolicy = z
  .object({
    rescheduleNoticeMinutes: z.number().int().min(0).max(20160),
    cancelNoticeMinutes: z.number().int().min(0).max(20160),
    maxReschedules: z.number().int().min(0).max(10),
    reasonRequired: z.boolean(),
  })
  .meta({ id: 'SchedulePolicy' });
export type SchedulePolicy = z.infer<typeof SchedulePolicy>;

export const SlotQuery = z.object({ from: Timestamp.optional().describe('Start of the 14-day window; default now') });
export const SlotList = z
  .object({
    items: z.array(z.object({ startsAt: Timestamp, endsAt: Timestamp, label: z.string().describe("In the candidate's zone, with Beijing time beside when it differs") })),
    truncated: z.boolean(),
  })
  .meta({ id: 'SlotList' });
export const RescheduleInterview = z
  .object({ startsAt: Timestamp, reason: z.string().trim().max(500).default('') })
  .strict();
export const RescheduledInterview = z
  .object({ id: Id, status: z.string(), startsAt: Timestamp, endsAt: Timestamp, scheduleVersion: z.number().int() })
  .meta({ id: 'RescheduledInterview' });

export const CheckinCodeQuery = z.object({
  site: z.string().trim().min(1).max(100),
  date: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, { message: '日期格式为 YYYY-MM-DD Expected YYYY-MM-DD' }),
});
export const CheckinCode = z
  .object({ site: z.string(), date: z.string(), code: z.string(), url: z.string().describe('Print as a QR code at reception') })
  .meta({ id: 'CheckinCode' });
export const CheckIn = z.object({ code: z.string().regex(/^[A-Za-z0-9_-]{22}$/, { message: '签到码无效 Invalid code' }) }).strict();
export const CheckedIn = z.object({ interviewId: Id, status: z.literal('checked_in') }).meta({ id: 'CheckedIn' });

/** HR offers times: the candidate picks one of the panel's free slots. */
export const OfferInterview = z
  .object({
    roundId: Id,
    mode: z.enum(['onsite', 'video', 'phone']).default('onsite'),
    location: z.string().trim().max(200).default(''),
    meetingUrl: z.url({ protocol: /^https$/ }).max(500).nullable().default(null),
    roomId: Id.nullable().default(null),
    panel: z.array(PanelMember).min(1).max(8),
  })
  .strict()
  .refine((v) => new Set(v.panel.map((p) => p.employeeId)).size === v.panel.length, { message: '面试官重复 A panelist is listed twice', path: ['panel'] });
export const OfferedInterview = z
  .object({ id: Id, status: z.literal('awaiting_candidate'), invitationUrl: z.string() })
  .meta({ id: 'OfferedInterview' });
export const PickSlot = z.object({ startsAt: Timestamp }).strict();
export const HeldSlot = z.object({ startsAt: Timestamp, endsAt: Timestamp, holdExpiresAt: Timestamp }).meta({ id: 'HeldSlot' });

export const ReminderPolicy = z
  .object({
    candidateMinutes: z.array(z.number().int().min(15).max(10080)).max(3).describe('Minutes before the start, e.g. [1440, 120]'),
    panelMinutes: z.number().int().min(5).max(1440).nullable(),
    unconfirmedAlertMinutes: z.number().int().min(60).max(10080).nullable().describe('HR is told if the candidate has not confirmed by then'),
  })
  .strict()
  .meta({ id: 'ReminderPolicy' });
export const JobParams = z.object({ jobId: Id });

export const NoShowQuery = z.object({ from: Timestamp, to: Timestamp });
const RateRow = z.object({ key: z.string(), label: z.string(), interviews: z.number().int(), noShows: z.number().int(), rate: z.number() });
export const NoShowReport = z
  .object({ from: z.string(), to: z.string(), byJob: z.array(RateRow), bySource: z.array(RateRow), bySlot: z.array(RateRow) })
  .meta({ id: 'NoShowReport' });
