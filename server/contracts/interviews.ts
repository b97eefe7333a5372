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
