import { z } from 'zod';
import { CancelInterview, CandidateAnswer, DeclineInterview, Id, InterviewParams, ScheduledInterview, ScheduleInterview } from '../../../contracts';
import * as interviews from '../../features/interviews';
import { route } from '../route';
import { invitationUrl } from './identity';

/** Scheduling: HR schedules and cancels; the candidate confirms or declines. */
export const interviewRoutes = (deps: { publicUrl: string }) => {
  const links = {
    invitationUrl: (token: string) => invitationUrl(deps.publicUrl, token),
    interviewUrl: (interviewId: string) => `${deps.publicUrl}/h5/#/pages/interview/kit?id=${interviewId}`,
  };
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
  ];
};
