import { z } from 'zod';
import {
  AnswerSurvey,
  CandidateInterview,
  CandidateInterviewList,
  Satisfaction,
  SatisfactionQuery,
  SubscriptionResults,
  SubscriptionsRecorded,
  SurveyAnswered,
  SurveySettings,
  CandidateInvitationList,
  CandidateSelf,
  CandidateSurvey,
  ConsentList,
  Consent,
  CreateDataRequest,
  DataExport,
  DataRequest,
  DataRequestList,
  DataRequestParams,
  DataRequestQuery,
  EmployeeParams,
  GiveConsent,
  Id,
  InterviewParams,
  InterviewSummary,
  PurposeParams,
  ResolveDataRequest,
  RetentionPolicies,
  RevealedCandidate,
  RevealRequest,
  ScorecardList,
  Scopes,
  SetRetentionPolicies,
  SetScopes,
} from '../../../contracts';
import * as candidates from '../../features/candidates';
import * as privacy from '../../features/privacy';
import * as surveys from '../../features/surveys';
import * as candidateChannels from '../../features/candidate-channels';
import { route } from '../route';

const CandidateParams = z.object({ candidateId: Id });

/** The candidate's own things: profile, invitations, interviews, survey, consents, data requests. */
export const candidateRoutes = [
  route({
    method: 'get', path: '/api/candidate/me', summary: '候选人本人 The signed-in candidate', tag: 'candidate', access: 'candidate',
    response: CandidateSelf,
    handler: ({ features, principal }) => privacy.getCandidateSelf(features, principal),
  }),
  route({
    method: 'get', path: '/api/candidate/invitations', summary: '我的邀请 My invitations', tag: 'candidate', access: 'candidate',
    response: CandidateInvitationList,
    handler: async ({ features, principal }) => ({ items: await privacy.listOwnInvitations(features, principal) }),
  }),
  route({
    method: 'get', path: '/api/candidate/interviews', summary: '我的面试列表 My interviews', tag: 'candidate', access: 'candidate',
    response: CandidateInterviewList,
    handler: async ({ features, principal }) => ({ items: await privacy.listOwnInterviews(features, principal) }),
  }),
  route({
    method: 'get', path: '/api/candidate/interviews/:interviewId', summary: '我的面试 My interview', tag: 'candidate', access: 'candidate',
    params: InterviewParams, response: CandidateInterview,
    handler: ({ features, principal, params }) => privacy.getOwnInterview(features, principal, params.interviewId),
  }),
  route({
    method: 'get', path: '/api/candidate/interviews/:interviewId/survey', summary: '我的面试问卷 My survey', tag: 'candidate', access: 'candidate',
    params: InterviewParams, response: CandidateSurvey,
    handler: ({ features, principal, params }) => privacy.getOwnSurvey(features, principal, params.interviewId),
  }),
  route({
    method: 'post', path: '/api/candidate/interviews/:interviewId/survey', summary: '填写面试体验问卷 Answer my survey', tag: 'candidate', access: 'candidate',
    params: InterviewParams, body: AnswerSurvey, response: SurveyAnswered,
    handler: ({ features, principal, params, body, requestId }) => surveys.answerOwnSurvey(features, principal, params.interviewId, body, requestId),
  }),
  route({
    method: 'post', path: '/api/candidate/subscriptions', summary: '记录订阅消息授权 Record subscription-message answers', tag: 'candidate', access: 'candidate',
    body: SubscriptionResults, response: SubscriptionsRecorded,
    handler: ({ features, principal, body }) => candidateChannels.recordSubscriptionResults(features, principal.tenantId, principal.candidateId, body.results),
  }),
  route({
    method: 'get', path: '/api/candidate/consents', summary: '我的授权同意 My consents', tag: 'candidate', access: 'candidate',
    response: ConsentList,
    handler: async ({ features, principal }) => ({ items: await privacy.listOwnConsents(features, principal) }),
  }),
  route({
    method: 'post', path: '/api/candidate/consents', summary: '同意（按用途）Give consent for a purpose', tag: 'candidate', access: 'candidate',
    body: GiveConsent, response: Consent, status: 201,
    handler: ({ features, principal, body, requestId }) => privacy.giveConsent(features, principal, body, requestId),
  }),
  route({
    method: 'post', path: '/api/candidate/consents/:purpose/withdraw', summary: '撤回同意 Withdraw consent', tag: 'candidate', access: 'candidate',
    params: PurposeParams, response: ConsentList,
    handler: async ({ features, principal, params, requestId }) => ({ items: await privacy.withdrawConsent(features, principal, params.purpose, requestId) }),
  }),
  route({
    method: 'get', path: '/api/candidate/data-requests', summary: '我的个人信息请求 My data requests', tag: 'candidate', access: 'candidate',
    response: DataRequestList,
    handler: async ({ features, principal }) => ({ items: await privacy.listOwnDataRequests(features, principal) }),
  }),
  route({
    method: 'post', path: '/api/candidate/data-requests', summary: '申请查阅、更正或删除我的个人信息 Ask for a copy, correction or deletion', tag: 'candidate', access: 'candidate',
    body: CreateDataRequest, response: DataRequest, status: 201,
    handler: ({ features, principal, body, requestId }) => privacy.createDataRequest(features, principal, body, requestId),
  }),
  route({
    method: 'get', path: '/api/candidate/data-requests/:requestId/export', summary: '下载我的个人信息副本 Download the copy of my data', tag: 'candidate', access: 'candidate',
    params: DataRequestParams, response: DataExport,
    handler: ({ features, principal, params, requestId }) => privacy.downloadOwnExport(features, principal, params.requestId, requestId),
  }),
];

/** HR and admin: unmasked reads (audited), consents, data requests, interviews, scopes, retention. */
export const privacyRoutes = [
  route({
    method: 'post', path: '/api/candidates/:candidateId/reveal', summary: '查看完整个人信息（留痕）Reveal full values (audited)', tag: 'candidates', access: 'session',
    params: CandidateParams, body: RevealRequest, response: RevealedCandidate,
    handler: ({ features, principal, params, body, requestId }) => candidates.revealCandidate(features, principal, params.candidateId, body, requestId),
  }),
  route({
    method: 'get', path: '/api/candidates/:candidateId/consents', summary: '候选人的授权同意 A candidate’s consents', tag: 'candidates', access: 'session',
    params: CandidateParams, response: ConsentList,
    handler: async ({ features, principal, params }) => ({ items: await privacy.listCandidateConsents(features, principal, params.candidateId) }),
  }),
  route({
    method: 'get', path: '/api/data-requests', summary: '个人信息请求（含期限）Data-subject requests with deadlines', tag: 'privacy', access: 'session',
    query: DataRequestQuery, response: DataRequestList,
    handler: async ({ features, principal, query }) => ({ items: await privacy.listDataRequests(features, principal, query) }),
  }),
  route({
    method: 'post', path: '/api/data-requests/:requestId/resolve', summary: '处理个人信息请求 Resolve a data-subject request', tag: 'privacy', access: 'session',
    params: DataRequestParams, body: ResolveDataRequest, response: DataRequest,
    handler: ({ features, principal, params, body, requestId }) => privacy.resolveDataRequest(features, principal, params.requestId, body, requestId),
  }),
  route({
    method: 'get', path: '/api/interviews/:interviewId', summary: '面试详情 An interview', tag: 'interviews', access: 'session',
    params: InterviewParams, response: InterviewSummary,
    handler: ({ features, principal, params }) => privacy.getInterview(features, principal, params.interviewId),
  }),
  route({
    method: 'get', path: '/api/interviews/:interviewId/scorecards', summary: '面试评分卡 Scorecards of an interview', tag: 'interviews', access: 'session',
    params: InterviewParams, response: ScorecardList,
    handler: async ({ features, principal, params }) => ({ items: await privacy.listInterviewScorecards(features, principal, params.interviewId) }),
  }),
  route({
    method: 'get', path: '/api/employees/:employeeId/scopes', summary: '员工的部门范围 An employee’s department scope', tag: 'directory', access: 'session',
    params: EmployeeParams, response: Scopes,
    handler: ({ features, principal, params }) => privacy.getScopes(features, principal, params.employeeId),
  }),
  route({
    method: 'put', path: '/api/employees/:employeeId/scopes', summary: '设置员工的部门范围 Set an employee’s department scope', tag: 'directory', access: 'session',
    params: EmployeeParams, body: SetScopes, response: Scopes,
    handler: ({ features, principal, params, body, requestId }) => privacy.setScopes(features, principal, params.employeeId, body.departmentIds, requestId),
  }),
  route({
    method: 'get', path: '/api/reports/satisfaction', summary: '候选人满意度（至少 5 份才显示）Candidate satisfaction (shown from 5 answers)', tag: 'reports', access: 'session',
    query: SatisfactionQuery, response: Satisfaction,
    handler: ({ features, principal, query }) => surveys.satisfactionReport(features, principal, query),
  }),
  route({
    method: 'put', path: '/api/survey-settings', summary: '设置问卷问题 Set the survey questions', tag: 'privacy', access: 'session',
    body: SurveySettings, response: SurveySettings,
    handler: ({ features, principal, body, requestId }) => surveys.setSurveySettings(features, principal, body, requestId),
  }),
  route({
    method: 'get', path: '/api/retention-policies', summary: '数据保留期限 Retention policy', tag: 'privacy', access: 'session',
    response: RetentionPolicies,
    handler: async ({ features, principal }) => ({ items: await privacy.listRetentionPolicies(features, principal) }),
  }),
  route({
    method: 'put', path: '/api/retention-policies', summary: '修改数据保留期限 Change the retention policy', tag: 'privacy', access: 'session',
    body: SetRetentionPolicies, response: RetentionPolicies,
    handler: async ({ features, principal, body, requestId }) => ({ items: await privacy.setRetentionPolicies(features, principal, body.items, requestId) }),
  }),
];
