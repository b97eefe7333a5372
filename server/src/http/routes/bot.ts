import { z } from 'zod';
import { Id } from '../../../contracts';
import {
  Agenda, AgendaQuery, CandidateInterviews, Funnel, FunnelQuery, ManualNudge, NoShowChartQuery, ParsedTime, ParseTimeRequest, PngFile, ResolvedEmployees, ResolveEmployees,
  RosterSyncResult, ScorecardNudgeParams, type ChartPeriod, DigestChat, DigestSubscribed, DigestSubscription, DigestUnsubscribed, ExportRequest, ExportSent,
  ExportToken, XlsxFile,
} from '../../../contracts/bot';
import { renderBarPng, renderFunnelPng, type ChartOptions } from '../../adapters/charts/render';
import { writeXlsx, xlsxContentType } from '../../adapters/xlsx/xlsx';
import * as bot from '../../features/bot';
import { noShowReport } from '../../features/interviews/policies';
import * as reports from '../../features/reports';
import { InterviewerLoad, NoShowsByJob, ReportPeriodQuery, TimeToHire } from '../../../contracts/bot';
import { OfferedInterview, OfferInterview, ScheduleInterview, ScheduledInterview } from '../../../contracts/interviews';
import { route } from '../route';
import { schedulingLinks } from './identity';
import { AppError } from '../../domain/errors';

/** A chat named by the bot, with the server's record of the message it came from (features/bot/chat.ts). */
const BotChatRef = z.object({ platform: z.enum(['wecom', 'dingtalk']), chatId: z.string().min(1).max(200), requestId: z.string().min(1).max(100) }).strict();
const ScheduleFromChat = z.object({ roundId: Id, startsAt: z.string(), panel: z.array(z.object({ employeeId: Id })).min(1).max(8), origin: BotChatRef }).strict();
const OfferFromChat = z.object({ roundId: Id, panel: z.array(z.object({ employeeId: Id })).min(1).max(8), origin: BotChatRef }).strict();
const invalidBody = (issues: z.core.$ZodIssue[]) =>
  new AppError('VALIDATION_FAILED', '请求参数不正确。The request has invalid fields.', issues.map((i) => ({ path: `body.${i.path.join('.')}`, message: i.message })));
const DigestSubscriptionFromChat = DigestSubscription.extend({ requestId: z.string().min(1).max(100) });
const DigestChatFromChat = DigestChat.extend({ requestId: z.string().min(1).max(100) });
const HtmlPage = z.object({ body: z.string(), filename: z.string() });

const periodNames: Record<ChartPeriod, string> = {
  '7d': '近7天 last 7 days', '30d': '近30天 last 30 days', '90d': '近90天 last 90 days',
  month: '本月 this month', quarter: '本季度 this quarter', year: '本年 this year',
};
const stageNames: Record<string, string> = { applied: 'Applied', screening: 'Screening', interviewing: 'Interview', offer: 'Offer', hired: 'Hired' };

/**
 * What the HR bot needs beyond the HR API, called with the session the server handed the bot for the person who
 * wrote the command (or by the H5 HR view with its own session): natural time, agendas, @-mention lookup,
 * a candidate's interviews, and charts as JSON and as PNG.
 */
export const botRoutes = (deps: { charts?: ChartOptions } = {}) => [
  route({
    method: 'post', path: '/api/bot/parse-time', summary: '读自然语言时间（租户时区，节假日/调休）Read natural Chinese time', tag: 'bot', access: 'session',
    body: ParseTimeRequest, response: ParsedTime,
    handler: ({ features, principal, body }) => bot.parseTimeForTenant(features, principal, body),
  }),
  route({
    method: 'get', path: '/api/bot/agenda', summary: '今日/本周面试 Today’s or this week’s interviews', tag: 'bot', access: 'session',
    query: AgendaQuery, response: Agenda,
    handler: ({ features, principal, query }) => bot.agenda(features, principal, query.range),
  }),
  route({
    method: 'get', path: '/api/candidates/:candidateId/interviews', summary: '候选人的面试 A candidate’s interviews', tag: 'bot', access: 'session',
    params: z.object({ candidateId: Id }), response: CandidateInterviews,
    handler: ({ features, principal, params }) => bot.candidateInterviews(features, principal, params.candidateId),
  }),
  route({
    method: 'post', path: '/api/bot/employees/resolve', summary: '@提及的人对应的员工 Employees of @-mentioned platform users', tag: 'bot', access: 'session',
    body: ResolveEmployees, response: ResolvedEmployees,
    handler: ({ features, principal, body }) => bot.resolveEmployees(features, principal, body.platformUserIds),
  }),
  route({
    method: 'get', path: '/api/reports/funnel', summary: '招聘漏斗 Hiring funnel of a job', tag: 'reports', access: 'session',
    query: FunnelQuery, response: Funnel,
    handler: ({ features, principal, query }) => bot.jobFunnel(features, principal, query),
  }),
  route({
    method: 'get', path: '/api/charts/funnel.png', summary: '招聘漏斗图 Funnel chart (PNG)', tag: 'reports', access: 'session',
    query: FunnelQuery, response: PngFile, download: 'image/png',
    handler: async ({ features, principal, query }) => {
      const funnel = await bot.jobFunnel(features, principal, query);
      const body = renderFunnelPng({
        title: `${funnel.jobTitle} 招聘漏斗 Funnel`,
        subtitle: periodNames[funnel.period],
        steps: funnel.steps.map((s) => ({ label: `${s.label} ${stageNames[s.stage] ?? s.stage}`, count: s.count })),
      }, deps.charts);
      return { body, filename: `funnel-${funnel.period}.png` };
    },
  }),
  route({
    method: 'get', path: '/api/charts/no-shows.png', summary: '未到场率图（按职位）No-show rate by job (PNG)', tag: 'reports', access: 'session',
    query: NoShowChartQuery, response: PngFile, download: 'image/png',
    handler: async ({ features, principal, query }) => {
      const range = bot.periodRange(query.period, features.clock.now(), await bot.tenantZone(features, principal.tenantId));
      const report = await noShowReport(features, principal, { from: range.from.toISOString(), to: range.to.toISOString() });
      const body = renderBarPng({
        title: '未到场率 No-show rate', subtitle: periodNames[query.period], percent: true,
        bars: report.byJob.map((r) => ({ label: r.label, value: r.rate })),
      }, deps.charts);
      return { body, filename: `no-shows-${query.period}.png` };
    },
  }),
  route({
    method: 'get', path: '/api/charts/interviewer-load.png', summary: '面试官负荷图 Interviews per interviewer (PNG)', tag: 'reports', access: 'session',
    query: NoShowChartQuery, response: PngFile, download: 'image/png',
    handler: async ({ features, principal, query }) => {
      const rows = await bot.interviewerLoad(features, principal, query.period);
      const body = renderBarPng({ title: '面试官负荷 Interviews per interviewer', subtitle: periodNames[query.period], bars: rows.map((r) => ({ label: r.name, value: r.interviews })) }, deps.charts);
      return { body, filename: `interviewer-load-${query.period}.png` };
    },
  }),
  route({
    method: 'post', path: '/api/scorecards/late/:interviewId/:interviewerId/nudge', summary: '催办一位面试官的逾期评分卡 Nudge one interviewer now', tag: 'bot', access: 'session',
    params: ScorecardNudgeParams, response: ManualNudge,
    handler: ({ features, principal, params, requestId }) => bot.nudgeLateScorecard(features, principal, params, requestId),
  }),
  route({
    method: 'post', path: '/api/bot/applications/:applicationId/interviews', summary: '群里约面（记住来源群）Schedule from a group chat, remembering it', tag: 'bot', access: 'session',
    params: z.object({ applicationId: Id }), body: ScheduleFromChat, response: ScheduledInterview, status: 201,
    handler: ({ features, principal, params, body, requestId }) => {
      const publicUrl = features.publicUrl ?? 'http://127.0.0.1:3000';
      const { origin, ...rest } = body;
      const input = ScheduleInterview.safeParse(rest);
      if (!input.success) throw invalidBody(input.error.issues);
      return bot.scheduleFromChat(features, principal, params.applicationId, input.data, origin, schedulingLinks(publicUrl), requestId);
    },
  }),
  route({
    method: 'post', path: '/api/bot/applications/:applicationId/interviews/offer', summary: '群里约面让候选人选时间（记住来源群）Offer times from a group chat, remembering it', tag: 'bot', access: 'session',
    params: z.object({ applicationId: Id }), body: OfferFromChat, response: OfferedInterview, status: 201,
    handler: async ({ features, principal, params, body, requestId }) => {
      const { origin, ...rest } = body;
      const input = OfferInterview.safeParse(rest);
      if (!input.success) throw invalidBody(input.error.issues);
      return (await bot.offerFromChat(features, principal, params.applicationId, input.data, origin, schedulingLinks(features.publicUrl ?? 'http://127.0.0.1:3000'), requestId)) as { id: string; status: 'awaiting_candidate'; invitationUrl: string };
    },
  }),
  route({
    method: 'post', path: '/api/roster/sync', summary: '立即同步通讯录 Sync the roster now', tag: 'bot', access: 'session',
    response: RosterSyncResult,
    handler: ({ features, principal, requestId }) => bot.syncRosterNow(features, principal, requestId),
  }),
  route({
    method: 'post', path: '/api/bot/exports', summary: '导出面试与评分（Excel，私信下载链接）Export interviews and scores', tag: 'bot', access: 'session',
    body: ExportRequest, response: ExportSent,
    handler: ({ features, principal, body, requestId }) => bot.requestExport(features, principal, body.period, requestId, (sheet) => writeXlsx(sheet, features.clock.now())),
  }),
  route({
    method: 'get', path: '/api/exports/:token', summary: '导出下载确认页（链接预览不会用掉链接）Download page; a preview does not use the link', tag: 'bot', access: 'public',
    params: ExportToken, response: HtmlPage, download: 'text/html; charset=utf-8', inline: true,
    handler: async ({ features, params }) => ({ body: await bot.exportPage(features, params.token), filename: 'export.html' }),
  }),
  route({
    method: 'post', path: '/api/exports/:token', summary: '下载导出文件（10 分钟内一次）Download an export once', tag: 'bot', access: 'public',
    params: ExportToken, response: XlsxFile, download: xlsxContentType,
    handler: ({ features, params, requestId }) => bot.downloadExport(features, params.token, requestId),
  }),
  route({
    method: 'put', path: '/api/bot/digest', summary: '订阅群日报 Subscribe a chat to the daily digest', tag: 'bot', access: 'session',
    body: DigestSubscriptionFromChat, response: DigestSubscribed,
    handler: ({ features, principal, body, requestId }) => bot.subscribeDigest(features, principal, body, requestId),
  }),
  route({
    method: 'post', path: '/api/bot/digest/unsubscribe', summary: '取消群日报 Unsubscribe a chat', tag: 'bot', access: 'session',
    body: DigestChatFromChat, response: DigestUnsubscribed,
    handler: ({ features, principal, body, requestId }) => bot.unsubscribeDigest(features, principal, body, requestId),
  }),
  // 报表 for the H5 HR view (pages/hr/) and the bot: each chart also as numbers, for the table under it.
  route({
    method: 'get', path: '/api/reports/time-to-hire', summary: '招聘周期（按职位：中位数、P90、平均天数）Time to hire by job', tag: 'reports', access: 'session',
    query: ReportPeriodQuery, response: TimeToHire,
    handler: ({ features, principal, query }) => reports.timeToHire(features, principal, query),
  }),
  route({
    method: 'get', path: '/api/charts/time-to-hire.png', summary: '招聘周期图（各职位中位天数）Median days to hire by job (PNG)', tag: 'reports', access: 'session',
    query: ReportPeriodQuery, response: PngFile, download: 'image/png',
    handler: async ({ features, principal, query }) => {
      const report = await reports.timeToHire(features, principal, query);
      const body = renderBarPng({
        title: '招聘周期（中位天数）Median days to hire', subtitle: `${periodNames[query.period]} · 录用 ${report.hires} 人 hires`, valueSuffix: ' 天',
        emptyText: '该期间没有录用 No hires in this period',
        bars: report.jobs.map((j) => ({ label: j.jobTitle, value: j.medianDays })),
      }, deps.charts);
      return { body, filename: `time-to-hire-${query.period}.png` };
    },
  }),
  route({
    method: 'get', path: '/api/reports/interviewer-load', summary: '面试官负荷（数字）Interviews per interviewer', tag: 'reports', access: 'session',
    query: ReportPeriodQuery, response: InterviewerLoad,
    handler: ({ features, principal, query }) => reports.interviewerLoadReport(features, principal, query),
  }),
  route({
    method: 'get', path: '/api/reports/no-shows/by-job', summary: '未到场率（按职位，命名期间）No-show rate by job over a period', tag: 'reports', access: 'session',
    query: ReportPeriodQuery, response: NoShowsByJob,
    handler: ({ features, principal, query }) => reports.noShowsByJob(features, principal, query),
  }),
];

