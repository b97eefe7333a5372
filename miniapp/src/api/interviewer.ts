import type { z } from 'zod';
import type {
  CandidateBrief as CandidateBriefSchema,
  Debrief as DebriefSchema,
  DraftItem as DraftItemSchema,
  InterviewNote as InterviewNoteSchema,
  InterviewNotes as InterviewNotesSchema,
  Kit as KitSchema,
  MyInterview as MyInterviewSchema,
  MyScorecard as MyScorecardSchema,
  PendingScorecard as PendingScorecardSchema,
  Prompts as PromptsSchema,
  Recommendation as RecommendationSchema,
  ScorecardDetail as ScorecardDetailSchema,
  TranscriptSegment as TranscriptSegmentSchema,
} from '@hirebridge/server/contracts';
import Taro from '@tarojs/taro';
import { ApiError } from './client';

/** The server's shapes for the interviewer pages (types only: nothing of the server is bundled). */
export type MyInterview = z.infer<typeof MyInterviewSchema>;
export type Kit = z.infer<typeof KitSchema>;
export type CandidateBrief = z.infer<typeof CandidateBriefSchema>;
export type InterviewNotes = z.infer<typeof InterviewNotesSchema>;
export type InterviewNote = z.infer<typeof InterviewNoteSchema>;
export type TranscriptSegment = z.infer<typeof TranscriptSegmentSchema>;
export type Prompts = z.infer<typeof PromptsSchema>;
export type MyScorecard = z.infer<typeof MyScorecardSchema>;
export type ScorecardDetail = z.infer<typeof ScorecardDetailSchema>;
export type DraftItem = z.infer<typeof DraftItemSchema>;
export type Debrief = z.infer<typeof DebriefSchema>;
export type Recommendation = z.infer<typeof RecommendationSchema>;
export type PendingScorecard = z.infer<typeof PendingScorecardSchema>;
export interface RatingInput {
  competencyId: string;
  level: number;
  note: string;
  evidenceSegmentIds: string[];
  evidenceNoteIds: string[];
}
export interface SaveScorecard {
  recommendation: Recommendation | null;
  summary: string;
  ratings: RatingInput[];
}

/**
 * The employee's session lives under its own key, apart from the candidate's (`hb.candidate.session`): one phone can
 * hold both (an employee trying the candidate link), and neither may ever act as the other.
 */
const employeeSessionKey = 'hb.employee.session';

export function employeeToken(): string | null {
  const value: unknown = Taro.getStorageSync(employeeSessionKey);
  return typeof value === 'string' && value !== '' ? value : null;
}
export function saveEmployeeSession(token: string): void {
  Taro.setStorageSync(employeeSessionKey, token);
}
export function clearEmployeeSession(): void {
  Taro.removeStorageSync(employeeSessionKey);
}

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH';

/** JSON over HTTPS; `auth: false` for the sign-in calls, which carry no session. Errors keep the server's stable code. */
export async function request<T>(method: Method, path: string, body?: unknown, auth = true): Promise<T> {
  const token = auth ? employeeToken() : null;
  if (auth && !token) throw new ApiError(401, 'UNAUTHENTICATED', '请先登录。Please sign in first.');
  let response: Taro.request.SuccessCallbackResult<string | ArrayBuffer | Record<string, unknown>>;
  try {
    response = await Taro.request({
      url: `${HB_API_URL}${path}`,
      // Taro's method type lacks PATCH on some platforms' typings, although both the mini-program and fetch send it.
      method: method as 'POST',
      data: body === undefined ? undefined : JSON.stringify(body),
      header: { 'content-type': 'application/json', accept: 'application/json', ...(token && { authorization: `Bearer ${token}` }) },
      dataType: 'json',
    });
  } catch {
    throw new ApiError(0, 'NETWORK', '网络不可用，请稍后重试。The network is unavailable; please try again.');
  }
  const data = response.data as { code?: string; message?: string; issues?: { message?: string }[] } | undefined;
  if (response.statusCode >= 200 && response.statusCode < 300) return response.data as T;
  if (response.statusCode === 401 && auth) clearEmployeeSession();
  // Field issues carry a stable code before the text ("EVIDENCE_REQUIRED: 每项评分需要证据…"): show the text.
  const details = [...new Set((data?.issues ?? []).map((i) => (i.message ?? '').replace(/^[A-Z_]+:\s*/, '')).filter(Boolean))];
  const message = data?.message ?? `请求失败（${response.statusCode}）Request failed`;
  throw new ApiError(response.statusCode, data?.code ?? 'HTTP_' + response.statusCode, details.length > 0 ? `${message} ${details.join('；')}` : message);
}

const iv = (id: string) => `/api/interviews/${encodeURIComponent(id)}`;

export const interviewerApi = {
  today: (days = 7) => request<{ items: MyInterview[] }>('GET', `/api/interviewer/interviews?days=${days}`),
  kit: (id: string) => request<Kit>('GET', `${iv(id)}/kit`),
  brief: (id: string) => request<CandidateBrief>('GET', `${iv(id)}/brief`),
  notes: (id: string) => request<InterviewNotes>('GET', `${iv(id)}/notes`),
  addNote: (id: string, text: string, atMs?: number) => request<InterviewNote>('POST', `${iv(id)}/typed-notes`, { text, ...(atMs !== undefined && { atMs }) }),
  markQuestion: (id: string, questionId: string, atMs: number) => request<unknown>('POST', `${iv(id)}/question-marks`, { questionId, atMs }),
  flagSegment: (id: string, segmentId: string, flags: { starred?: boolean; questionId?: string | null }) =>
    request<TranscriptSegment>('PATCH', `${iv(id)}/segments/${segmentId}`, flags),
  correctSegment: (id: string, segmentId: string, text: string) => request<TranscriptSegment>('POST', `${iv(id)}/segments/${segmentId}/corrections`, { text }),
  prompts: (id: string, answer: string, questionId?: string) => request<Prompts>('POST', `${iv(id)}/prompts`, { answer, ...(questionId && { questionId }) }),
  myScorecard: (id: string) => request<MyScorecard>('GET', `${iv(id)}/my-scorecard`),
  saveScorecard: (id: string, body: SaveScorecard) => request<ScorecardDetail>('PUT', `${iv(id)}/my-scorecard`, body),
  submitScorecard: (id: string, body: SaveScorecard) => request<ScorecardDetail>('POST', `${iv(id)}/my-scorecard/submit`, body),
  draft: (id: string) => request<{ items: DraftItem[] }>('POST', `${iv(id)}/my-scorecard/draft`),
  decideDraft: (id: string, itemId: string, body: { action: 'accept' | 'edit' | 'dismiss'; level?: number; note?: string }) =>
    request<DraftItem>('POST', `${iv(id)}/my-scorecard/draft/${itemId}`, body),
  debrief: (id: string) => request<Debrief>('GET', `${iv(id)}/debrief`),
  /** Scorecards I still owe, however long ago the interview ended; most overdue first, paged. */
  pendingScorecards: (limit = 50, cursor?: string | null) =>
    request<{ items: PendingScorecard[]; nextCursor: string | null }>(
      'GET', `/api/interviewer/pending-scorecards?limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
    ),
};

export const recommendationText: Record<Exclude<Recommendation, 'no_decision'>, string> = {
  strong_no: '强烈不推荐 Strong no',
  no: '不推荐 No',
  yes: '推荐 Yes',
  strong_yes: '强烈推荐 Strong yes',
};

export const starText: Record<'situation' | 'task' | 'action' | 'result', string> = {
  situation: '情境 Situation',
  task: '任务 Task',
  action: '行动 Action',
  result: '结果 Result',
};

export const modeText: Record<MyInterview['mode'], string> = { onsite: '现场面试', video: '视频面试', phone: '电话面试' };
export const roleText: Record<MyInterview['myRole'], string> = { lead: '主面试官', member: '面试官', shadow: '旁听' };
export const scorecardStatusText: Record<MyInterview['scorecardStatus'], string> = { none: '未评分', draft: '草稿', submitted: '已提交' };

/** A time in Beijing (the default zone), e.g. "12月4日 14:00". */
export function beijingTime(iso: string | null): string {
  if (!iso) return '时间待定';
  const d = new Date(new Date(iso).getTime() + 8 * 3_600_000);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getUTCMonth() + 1}月${d.getUTCDate()}日 ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}`;
}

/** mm:ss from the start of the recording. */
export function clockOf(ms: number): string {
  const s = Math.floor(ms / 1000);
  return `${String(Math.floor(s / 60)).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}`;
}
