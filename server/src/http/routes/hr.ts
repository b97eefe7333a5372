import { z } from 'zod';
import {
  Application,
  ApplicationPage,
  ApplicationQuery,
  Candidate,
  CandidatePage,
  CandidateQuery,
  ChangeJobStatus,
  CompetencyModel,
  CompetencyModelVersions,
  CreateApplication,
  CreateCandidate,
  CreateJob,
  DepartmentList,
  EmployeePage,
  EmployeeQuery,
  Id,
  Job,
  JobPage,
  JobQuery,
  Me,
  MoveApplication,
  PublishCompetencyModel,
  UpdateCandidate,
  UpdateJob,
} from '../../../contracts';
import * as applications from '../../features/applications';
import * as candidates from '../../features/candidates';
import * as directory from '../../features/directory';
import * as jobs from '../../features/jobs';
import { route } from '../route';

const JobParams = z.object({ jobId: Id });
const VersionParams = z.object({ jobId: Id, version: z.coerce.number().int().min(1).max(100000) });
const CandidateParams = z.object({ candidateId: Id });
const ApplicationParams = z.object({ applicationId: Id });

/** The CRUD-level API HR needs: directory, jobs with competency models, candidates, applications. */
export const hrRoutes = [
  route({
    method: 'get', path: '/api/me', summary: '当前登录的员工 The signed-in employee', tag: 'directory', access: 'session',
    response: Me,
    handler: ({ features, principal }) => directory.getMe(features, principal),
  }),
  route({
    method: 'get', path: '/api/departments', summary: '部门列表 Departments', tag: 'directory', access: 'session',
    response: DepartmentList,
    handler: async ({ features, principal }) => ({ items: await directory.listDepartments(features, principal) }),
  }),
  route({
    method: 'get', path: '/api/employees', summary: '员工列表 Employees', tag: 'directory', access: 'session',
    query: EmployeeQuery, response: EmployeePage,
    handler: ({ features, principal, query }) => directory.listEmployees(features, principal, query),
  }),

  route({
    method: 'get', path: '/api/jobs', summary: '职位列表 Jobs', tag: 'jobs', access: 'session',
    query: JobQuery, response: JobPage,
    handler: ({ features, principal, query }) => jobs.listJobs(features, principal, query),
  }),
  route({
    method: 'post', path: '/api/jobs', summary: '新建职位（草稿）Create a job (draft)', tag: 'jobs', access: 'session',
    body: CreateJob, response: Job, status: 201,
    handler: ({ features, principal, body }) => jobs.createJob(features, principal, body),
  }),
  route({
    method: 'get', path: '/api/jobs/:jobId', summary: '职位详情 A job', tag: 'jobs', access: 'session',
    params: JobParams, response: Job,
    handler: ({ features, principal, params }) => jobs.getJob(features, principal, params.jobId),
  }),
  route({
    method: 'patch', path: '/api/jobs/:jobId', summary: '修改职位 Edit a job', tag: 'jobs', access: 'session',
    params: JobParams, body: UpdateJob, response: Job,
    handler: ({ features, principal, params, body }) => jobs.updateJob(features, principal, params.jobId, body),
  }),
  route({
    method: 'post', path: '/api/jobs/:jobId/status', summary: '开放、关闭职位 Open or close a job', tag: 'jobs', access: 'session',
    params: JobParams, body: ChangeJobStatus, response: Job,
    handler: ({ features, principal, params, body }) => jobs.changeJobStatus(features, principal, params.jobId, body.status),
  }),
  route({
    method: 'get', path: '/api/jobs/:jobId/competency-model', summary: '当前胜任力模型 Latest competency model', tag: 'jobs', access: 'session',
    params: JobParams, response: CompetencyModel,
    handler: ({ features, principal, params }) => jobs.getCompetencyModel(features, principal, params.jobId),
  }),
  route({
    method: 'put', path: '/api/jobs/:jobId/competency-model', summary: '发布新版本胜任力模型 Publish a new competency-model version', tag: 'jobs', access: 'session',
    params: JobParams, body: PublishCompetencyModel, response: CompetencyModel, status: 201,
    handler: ({ features, principal, params, body }) => jobs.publishCompetencyModel(features, principal, params.jobId, body),
  }),
  route({
    method: 'get', path: '/api/jobs/:jobId/competency-models', summary: '胜任力模型版本 Competency-model versions', tag: 'jobs', access: 'session',
    params: JobParams, response: CompetencyModelVersions,
    handler: async ({ features, principal, params }) => ({ items: await jobs.listCompetencyModelVersions(features, principal, params.jobId) }),
  }),
  route({
    method: 'get', path: '/api/jobs/:jobId/competency-models/:version', summary: '某一版本胜任力模型 One competency-model version', tag: 'jobs', access: 'session',
    params: VersionParams, response: CompetencyModel,
    handler: ({ features, principal, params }) => jobs.getCompetencyModel(features, principal, params.jobId, params.version),
  }),

  route({
    method: 'get', path: '/api/candidates', summary: '候选人列表 Candidates', tag: 'candidates', access: 'session',
    query: CandidateQuery, response: CandidatePage,
    handler: ({ features, principal, query }) => candidates.listCandidates(features, principal, query),
  }),
  route({
    method: 'post', path: '/api/candidates', summary: '新建候选人 Create a candidate', tag: 'candidates', access: 'session',
    body: CreateCandidate, response: Candidate, status: 201,
    handler: ({ features, principal, body }) => candidates.createCandidate(features, principal, body),
  }),
  route({
    method: 'get', path: '/api/candidates/:candidateId', summary: '候选人详情 A candidate', tag: 'candidates', access: 'session',
    params: CandidateParams, response: Candidate,
    handler: ({ features, principal, params }) => candidates.getCandidate(features, principal, params.candidateId),
  }),
  route({
    method: 'patch', path: '/api/candidates/:candidateId', summary: '修改候选人 Edit a candidate', tag: 'candidates', access: 'session',
    params: CandidateParams, body: UpdateCandidate, response: Candidate,
    handler: ({ features, principal, params, body }) => candidates.updateCandidate(features, principal, params.candidateId, body),
  }),

  route({
    method: 'get', path: '/api/applications', summary: '申请列表 Applications', tag: 'applications', access: 'session',
    query: ApplicationQuery, response: ApplicationPage,
    handler: ({ features, principal, query }) => applications.listApplications(features, principal, query),
  }),
  route({
    method: 'post', path: '/api/applications', summary: '候选人投递职位 Apply a candidate to a job', tag: 'applications', access: 'session',
    body: CreateApplication, response: Application, status: 201,
    handler: ({ features, principal, body }) => applications.createApplication(features, principal, body),
  }),
  route({
    method: 'get', path: '/api/applications/:applicationId', summary: '申请详情与阶段历史 An application with its history', tag: 'applications', access: 'session',
    params: ApplicationParams, response: Application,
    handler: ({ features, principal, params }) => applications.getApplication(features, principal, params.applicationId),
  }),
  route({
    method: 'post', path: '/api/applications/:applicationId/stage', summary: '推进、拒绝或撤回申请 Move an application', tag: 'applications', access: 'session',
    params: ApplicationParams, body: MoveApplication, response: Application,
    handler: ({ features, principal, params, body }) => applications.moveApplication(features, principal, params.applicationId, body),
  }),
];
