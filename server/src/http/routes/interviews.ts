import { z } from 'zod';
import {
  CancelInterview,
  CandidateAnswer,
  CheckedIn,
  CheckIn,
  CheckinCode,
  CheckinCodeQuery,
  HeldSlot,
  JobParams,
  NoShowQuery,
  NoShowReport,
  ReminderPolicy,
  SchedulePolicy,
  OfferedInterview,
  OfferInterview,
  PickSlot,
  DeclineInterview,
  Id,
  InterviewParams,
  RescheduledInterview,
  RescheduleInterview,
  ScheduledInterview,
  ScheduleInterview,
  SlotList,
  SlotQuery,
} from '../../../contracts';
import * as reschedule from '../../features/interviews/reschedule';
import * as onTheDay from '../../features/interviews/on-the-day';
import * as policies from '../../features/interviews/policies';
import * as interviews from '../../features/interviews';
import { route } from '../route';
import { schedulingLinks } from './identity';

/** Scheduling: HR schedules and cancels; the candidate confirms or declines. */
export const interviewRoutes = (deps: { publicUrl: string }) => {
  const links = schedulingLinks(deps.publicUrl);
  return [
    route({
      method: 'post', path: '/api/applications/:applicationId/interviews', summary: '安排面试（固定时间）Schedule an interview at a fixed time', tag: 'interviews', access: 'session',
      params: z.object({ applicationId: Id }), body: ScheduleInterview, response: ScheduledInterview, status: 201,
      handler: ({ features, principal, params, body }) => interviews.scheduleInterview(features, principal, params.applicationId, body, links),
    }),
    route({
      method: 'post', path: '/api/interviews/:interviewId/cancel', summary: '取消面试 Cancel an interview', tag: 'interviews', access: 'session',
      params: InterviewParams, body: CancelInterview, response: CandidateAnswer,
      handler: ({ features, principal, params, body, requestId }) => interviews.cancelInterview(features, principal, params.interviewId, body.reason, requestId),
    }),
    route({
      method: 'post', path: '/api/candidate/interviews/:interviewId/confirm', summary: '确认参加面试 Confirm my interview', tag: 'candidate', access: 'candidate',
      params: InterviewParams, response: CandidateAnswer,
      handler: ({ features, principal, params, requestId }) => interviews.confirmInterview(features, principal, params.interviewId, requestId),
    }),
    route({
      method: 'post', path: '/api/candidate/interviews/:interviewId/decline', summary: '婉拒面试 Decline my interview', tag: 'candidate', access: 'candidate',
      params: InterviewParams, body: DeclineInterview, response: CandidateAnswer,
      handler: ({ features, principal, params, body, requestId }) => interviews.declineInterview(features, principal, params.interviewId, body.reason, requestId),
    }),
    route({
      method: 'post', path: '/api/interviews/:interviewId/reschedule', summary: 'HR 改期（候选人需重新确认）Reschedule (HR)', tag: 'interviews', access: 'session',
      params: InterviewParams, body: RescheduleInterview, response: RescheduledInterview,
      handler: ({ features, principal, params, body, requestId }) => reschedule.rescheduleInterview(features, principal, params.interviewId, body, requestId),
    }),
    route({
      method: 'get', path: '/api/candidate/interviews/:interviewId/slots', summary: '可改约的时间 Times I can move to', tag: 'candidate', access: 'candidate',
      params: InterviewParams, query: SlotQuery, response: SlotList,
      handler: ({ features, principal, params, query }) => reschedule.listOwnSlots(features, principal, params.interviewId, query),
    }),
    route({
      method: 'post', path: '/api/candidate/interviews/:interviewId/reschedule', summary: '改约到另一个时间 Move my interview', tag: 'candidate', access: 'candidate',
      params: InterviewParams, body: RescheduleInterview, response: RescheduledInterview,
      handler: ({ features, principal, params, body, requestId }) => reschedule.rescheduleOwnInterview(features, principal, params.interviewId, body, requestId),
    }),
    route({
      method: 'get', path: '/api/candidate/interviews/:interviewId/calendar.ics', summary: '我的面试（日历文件）My interview as .ics', tag: 'candidate', access: 'candidate',
      params: InterviewParams, response: z.object({ body: z.string(), filename: z.string() }), download: 'text/calendar; charset=utf-8',
      handler: ({ features, principal, params }) => reschedule.ownInterviewIcs(features, principal, params.interviewId),
    }),
    route({
      method: 'get', path: '/api/check-in/code', summary: '前台签到码（按地点、日期）Reception check-in code for a site and day', tag: 'interviews', access: 'session',
      query: CheckinCodeQuery, response: CheckinCode,
      handler: ({ features, principal, query }) => onTheDay.checkinCodeFor(features, principal, query, (code) => `${deps.publicUrl}/h5/#/pages/checkin/index?code=${code}`),
    }),
    route({
      method: 'post', path: '/api/candidate/check-in', summary: '扫码签到 Check in at reception', tag: 'candidate', access: 'candidate',
      body: CheckIn, response: CheckedIn,
      handler: ({ features, principal, body, requestId }) => onTheDay.checkIn(features, principal, body.code, requestId) as Promise<{ interviewId: string; status: 'checked_in' }>,
    }),
    route({
      method: 'post', path: '/api/interviews/:interviewId/no-show', summary: '标记候选人未到场 Mark a no-show', tag: 'interviews', access: 'session',
      params: InterviewParams, response: CandidateAnswer,
      handler: ({ features, principal, params, requestId }) => onTheDay.markNoShow(features, principal, params.interviewId, requestId),
    }),
    route({
      method: 'post', path: '/api/applications/:applicationId/interviews/offer', summary: '给候选人可选时间 Offer times to the candidate', tag: 'interviews', access: 'session',
      params: z.object({ applicationId: Id }), body: OfferInterview, response: OfferedInterview, status: 201,
      handler: ({ features, principal, params, body }) =>
        reschedule.offerInterview(features, principal, params.applicationId, body, links) as Promise<{ id: string; status: 'awaiting_candidate'; invitationUrl: string }>,
    }),
    route({
      method: 'post', path: '/api/candidate/interviews/:interviewId/hold', summary: '暂留一个时间（10 分钟）Hold a time for 10 minutes', tag: 'candidate', access: 'candidate',
      params: InterviewParams, body: PickSlot, response: HeldSlot,
      handler: ({ features, principal, params, body }) => reschedule.holdSlot(features, principal, params.interviewId, body.startsAt),
    }),
    route({
      method: 'post', path: '/api/candidate/interviews/:interviewId/choose', summary: '确认选定的时间 Confirm the chosen time', tag: 'candidate', access: 'candidate',
      params: InterviewParams, body: PickSlot, response: RescheduledInterview,
      handler: ({ features, principal, params, body, requestId }) => reschedule.chooseSlot(features, principal, params.interviewId, body.startsAt, requestId),
    }),
    route({
      method: 'get', path: '/api/reminder-policy', summary: '提醒策略 Reminder policy', tag: 'interviews', access: 'session',
      response: ReminderPolicy,
      handler: ({ features, principal }) => policies.getReminderPolicy(features, principal),
    }),
    route({
      method: 'put', path: '/api/reminder-policy', summary: '设置提醒策略 Set the reminder policy', tag: 'interviews', access: 'session',
      body: ReminderPolicy, response: ReminderPolicy,
      handler: ({ features, principal, body, requestId }) => policies.setReminderPolicy(features, principal, body, requestId),
    }),
    route({
      method: 'get', path: '/api/jobs/:jobId/schedule-policy', summary: '职位的改期规则 A job’s reschedule policy', tag: 'jobs', access: 'session',
      params: JobParams, response: SchedulePolicy,
      handler: ({ features, principal, params }) => policies.getSchedulePolicy(features, principal, params.jobId),
    }),
    route({
      method: 'put', path: '/api/jobs/:jobId/schedule-policy', summary: '设置职位的改期规则 Set a job’s reschedule policy', tag: 'jobs', access: 'session',
      params: JobParams, body: SchedulePolicy, response: SchedulePolicy,
      handler: ({ features, principal, params, body, requestId }) => policies.setSchedulePolicy(features, principal, params.jobId, body, requestId),
    }),
    route({
      method: 'get', path: '/api/reports/no-shows', summary: '未到场率（按职位、来源、时段）No-show rates by job, source and time of day', tag: 'reports', access: 'session',
      query: NoShowQuery, response: NoShowReport,
      handler: ({ features, principal, query }) => policies.noShowReport(features, principal, query),
    }),
  ];
};
