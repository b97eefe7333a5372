import type { z } from 'zod';
import {
  Agenda,
  Application,
  ApplicationPage,
  CandidateAnswer,
  CandidateInterviews,
  CandidatePage,
  DigestSubscribed,
  DigestUnsubscribed,
  EmployeePage,
  ErrorBody,
  ExportSent,
  Funnel,
  InterviewerLoad,
  Job,
  JobPage,
  LateScorecards,
  ManualNudge,
  NoShowsByJob,
  OfferedInterview,
  ParsedTime,
  RescheduledInterview,
  ResolvedEmployees,
  RosterSyncResult,
  Satisfaction,
  ScheduledInterview,
  TimeToHire,
} from '@hirebridge/server/contracts';

/** A failed call: the server's stable error code and its Chinese-first message, safe to show in the chat. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** A chat as the bot names it to the server: the server checks it against the message it received (`requestId`). */
export interface BotChatRef {
  readonly platform: 'wecom' | 'dingtalk';
  readonly chatId: string;
  readonly requestId: string;
}

export type FetchLike = (url: string, init: { method: string; headers: Record<string, string>; body?: string }) => Promise<{
  status: number;
  headers: { get(name: string): string | null };
  json(): Promise<unknown>;
  arrayBuffer(): Promise<ArrayBuffer>;
}>;

/**
 * The server as the bot sees it: HTTP with the shared contracts, as the employee who wrote the command (the token
 * is the short-lived session the server issued for that person). Every answer is checked against its contract.
 */
export function createServerApi(options: { baseUrl: string; token: string; fetch?: FetchLike }) {
  const doFetch: FetchLike = options.fetch ?? ((url, init) => fetch(url, init));
  const base = options.baseUrl.replace(/\/$/, '');

  async function call(method: string, path: string, body?: unknown): Promise<{ status: number; read: () => Promise<unknown>; bytes: () => Promise<Uint8Array> }> {
    const headers: Record<string, string> = { authorization: `Bearer ${options.token}`, accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    const res = await doFetch(`${base}${path}`, { method, headers, ...(body !== undefined && { body: JSON.stringify(body) }) });
    if (res.status >= 400) {
      const parsed = ErrorBody.safeParse(await res.json().catch(() => undefined));
      throw parsed.success ? new ApiError(res.status, parsed.data.code, parsed.data.message) : new ApiError(res.status, 'INTERNAL', '服务器暂时无法处理，请稍后再试。The server could not answer; try again later.');
    }
    return { status: res.status, read: () => res.json(), bytes: async () => new Uint8Array(await res.arrayBuffer()) };
  }
  const json = async <T extends z.ZodType>(schema: T, method: string, path: string, body?: unknown): Promise<z.infer<T>> =>
    schema.parse(await (await call(method, path, body)).read());
  const qs = (params: Record<string, string | undefined>) => {
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries(params)) if (v !== undefined) q.set(k, v);
    return q.toString();
  };

  return {
    parseTime: (text: string, defaultDurationMinutes?: number) => json(ParsedTime, 'POST', '/api/bot/parse-time', { text, ...(defaultDurationMinutes && { defaultDurationMinutes }) }),
    resolveEmployees: (platformUserIds: readonly string[]) => json(ResolvedEmployees, 'POST', '/api/bot/employees/resolve', { platformUserIds }),
    findEmployees: (q: string) => json(EmployeePage, 'GET', `/api/employees?${qs({ q, limit: '10' })}`),
    findCandidates: (q: string) => json(CandidatePage, 'GET', `/api/candidates?${qs({ q, limit: '10' })}`),
    findJobs: (q: string) => json(JobPage, 'GET', `/api/jobs?${qs({ q, limit: '10' })}`),
    job: (jobId: string) => json(Job, 'GET', `/api/jobs/${encodeURIComponent(jobId)}`),
    application: (applicationId: string) => json(Application, 'GET', `/api/applications/${encodeURIComponent(applicationId)}`),
    applications: (query: { candidateId?: string; jobId?: string }) => json(ApplicationPage, 'GET', `/api/applications?${qs({ ...query, limit: '20' })}`),
    candidateInterviews: (candidateId: string) => json(CandidateInterviews, 'GET', `/api/candidates/${encodeURIComponent(candidateId)}/interviews`),
    schedule: (applicationId: string, body: { roundId: string; startsAt: string; panel: { employeeId: string }[] }) =>
      json(ScheduledInterview, 'POST', `/api/applications/${encodeURIComponent(applicationId)}/interviews`, body),
    /**
     * 约面 from a chat: the same scheduling, with the chat the command came from and the server's record of that
     * message (`requestId`), so the interview remembers its group and the group hears when the candidate confirms.
     */
    scheduleFromChat: (applicationId: string, body: { roundId: string; startsAt: string; panel: { employeeId: string }[]; origin: BotChatRef }) =>
      json(ScheduledInterview, 'POST', `/api/bot/applications/${encodeURIComponent(applicationId)}/interviews`, body),
    /** 约面 … 让候选人选时间 from a chat: the offer remembers the group, which hears the time the candidate picks. */
    offerFromChat: (applicationId: string, body: { roundId: string; panel: { employeeId: string }[]; origin: BotChatRef }) =>
      json(OfferedInterview, 'POST', `/api/bot/applications/${encodeURIComponent(applicationId)}/interviews/offer`, body),
    offer: (applicationId: string, body: { roundId: string; panel: { employeeId: string }[] }) =>
      json(OfferedInterview, 'POST', `/api/applications/${encodeURIComponent(applicationId)}/interviews/offer`, body),
    reschedule: (interviewId: string, body: { startsAt: string; reason: string }) =>
      json(RescheduledInterview, 'POST', `/api/interviews/${encodeURIComponent(interviewId)}/reschedule`, body),
    cancel: (interviewId: string, reason: string) => json(CandidateAnswer, 'POST', `/api/interviews/${encodeURIComponent(interviewId)}/cancel`, { reason }),
    agenda: (range: 'today' | 'week') => json(Agenda, 'GET', `/api/bot/agenda?${qs({ range })}`),
    funnel: (jobId: string, period: string) => json(Funnel, 'GET', `/api/reports/funnel?${qs({ jobId, period })}`),
    funnelPng: async (jobId: string, period: string) => (await call('GET', `/api/charts/funnel.png?${qs({ jobId, period })}`)).bytes(),
    noShowPng: async (period: string) => (await call('GET', `/api/charts/no-shows.png?${qs({ period })}`)).bytes(),
    /** 报表: 招聘周期 (time to hire), 面试官负荷 and 未到场率 by job over a named period, as numbers and as PNGs. */
    timeToHire: (period: string) => json(TimeToHire, 'GET', `/api/reports/time-to-hire?${qs({ period })}`),
    timeToHirePng: async (period: string) => (await call('GET', `/api/charts/time-to-hire.png?${qs({ period })}`)).bytes(),
    interviewerLoad: (period: string) => json(InterviewerLoad, 'GET', `/api/reports/interviewer-load?${qs({ period })}`),
    interviewerLoadPng: async (period: string) => (await call('GET', `/api/charts/interviewer-load.png?${qs({ period })}`)).bytes(),
    noShowsByJob: (period: string) => json(NoShowsByJob, 'GET', `/api/reports/no-shows/by-job?${qs({ period })}`),
    satisfaction: (jobId: string) => json(Satisfaction, 'GET', `/api/reports/satisfaction?${qs({ jobId })}`),
    lateScorecards: () => json(LateScorecards, 'GET', '/api/scorecards/late'),
    nudge: (interviewId: string, interviewerId: string) =>
      json(ManualNudge, 'POST', `/api/scorecards/late/${encodeURIComponent(interviewId)}/${encodeURIComponent(interviewerId)}/nudge`),
    syncRoster: () => json(RosterSyncResult, 'POST', '/api/roster/sync'),
    requestExport: (period: string) => json(ExportSent, 'POST', '/api/bot/exports', { period }),
    subscribeDigest: (body: BotChatRef & { time: string }) => json(DigestSubscribed, 'PUT', '/api/bot/digest', body),
    unsubscribeDigest: (body: BotChatRef) => json(DigestUnsubscribed, 'POST', '/api/bot/digest/unsubscribe', body),
  };
}

export type ServerApi = ReturnType<typeof createServerApi>;
