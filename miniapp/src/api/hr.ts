import type { z } from 'zod';
import type {
  ChartPeriod as ChartPeriodSchema,
  Funnel as FunnelSchema,
  InterviewerLoad as InterviewerLoadSchema,
  Job as JobSchema,
  Me as MeSchema,
  NoShowsByJob as NoShowsByJobSchema,
  TimeToHire as TimeToHireSchema,
} from '@hirebridge/server/contracts';
import Taro from '@tarojs/taro';
import { ApiError } from './client';
import { clearEmployeeSession, employeeToken, request } from './interviewer';

/** The server's shapes for the HR reports page (types only: nothing of the server is bundled). */
export type ChartPeriod = z.infer<typeof ChartPeriodSchema>;
export type Funnel = z.infer<typeof FunnelSchema>;
export type TimeToHire = z.infer<typeof TimeToHireSchema>;
export type InterviewerLoad = z.infer<typeof InterviewerLoadSchema>;
export type NoShowsByJob = z.infer<typeof NoShowsByJobSchema>;
export type Job = z.infer<typeof JobSchema>;
export type Me = z.infer<typeof MeSchema>;

/** The charts' period vocabulary (server/contracts/bot.ts ChartPeriod), in the order the picker shows it. */
export const periods: readonly { readonly value: ChartPeriod; readonly label: string; readonly en: string }[] = [
  { value: '7d', label: '近7天', en: 'Last 7 days' },
  { value: '30d', label: '近30天', en: 'Last 30 days' },
  { value: '90d', label: '近90天', en: 'Last 90 days' },
  { value: 'month', label: '本月', en: 'This month' },
  { value: 'quarter', label: '本季度', en: 'This quarter' },
  { value: 'year', label: '本年', en: 'This year' },
];

/** Who may see the reports: the roles the server's report routes allow (hiringRoles). */
export const reportRoles = ['admin', 'hr', 'hiring_manager'] as const;
export const mayReadReports = (roles: readonly string[]) => roles.some((r) => (reportRoles as readonly string[]).includes(r));

export type ChartKind = 'funnel' | 'time-to-hire' | 'no-shows' | 'interviewer-load';

/** A query string (the mini-program has no URLSearchParams). */
const q = (params: Record<string, string>) => Object.entries(params).map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&');

/**
 * A chart PNG fetched with the employee's session (an <img src> cannot send the Authorization header, and a token in
 * an image address would end up in logs and history), handed back as a data URL that <Image> shows on H5 and in the
 * mini-program alike.
 */
async function chart(kind: ChartKind, params: Record<string, string>): Promise<string> {
  const token = employeeToken();
  if (!token) throw new ApiError(401, 'UNAUTHENTICATED', '请先登录。Please sign in first.');
  let response: Taro.request.SuccessCallbackResult<ArrayBuffer>;
  try {
    response = await Taro.request<ArrayBuffer>({
      url: `${HB_API_URL}/api/charts/${kind}.png?${q(params)}`,
      method: 'GET',
      header: { accept: 'image/png', authorization: `Bearer ${token}` },
      responseType: 'arraybuffer',
    });
  } catch {
    throw new ApiError(0, 'NETWORK', '网络不可用，请稍后重试。The network is unavailable; please try again.');
  }
  if (response.statusCode === 200) return `data:image/png;base64,${base64(new Uint8Array(response.data))}`;
  if (response.statusCode === 401) clearEmployeeSession();
  const error = errorBody(response.data);
  throw new ApiError(response.statusCode, error.code ?? `HTTP_${response.statusCode}`, error.message ?? `图表加载失败（${response.statusCode}）The chart did not load`);
}

const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/**
 * Bytes as base64. Our own: Taro's H5 arrayBufferToBase64 hands the ArrayBuffer to base64-js, which reads only typed
 * arrays and returns '' for it (Taro 4.2.1), and the mini-program's wx.arrayBufferToBase64 is deprecated.
 */
export function base64(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i += 3) {
    const a = bytes[i]!;
    const b = i + 1 < bytes.length ? bytes[i + 1]! : 0;
    const c = i + 2 < bytes.length ? bytes[i + 2]! : 0;
    const n = (a << 16) | (b << 8) | c;
    out += alphabet[(n >> 18) & 63]! + alphabet[(n >> 12) & 63]!;
    out += i + 1 < bytes.length ? alphabet[(n >> 6) & 63]! : '=';
    out += i + 2 < bytes.length ? alphabet[n & 63]! : '=';
  }
  return out;
}

/** The server's `{code, message}` from an error answered to an arraybuffer request. */
function errorBody(data: unknown): { code?: string; message?: string } {
  try {
    if (data instanceof ArrayBuffer && typeof TextDecoder !== 'undefined') return JSON.parse(new TextDecoder().decode(data)) as { code?: string; message?: string };
    if (data && typeof data === 'object') return data as { code?: string; message?: string };
  } catch {
    // not JSON: the generic message
  }
  return {};
}

export const hrApi = {
  me: () => request<Me>('GET', '/api/me'),
  jobs: () => request<{ items: Job[] }>('GET', '/api/jobs?limit=100'),
  funnel: (jobId: string, period: ChartPeriod) => request<Funnel>('GET', `/api/reports/funnel?${q({ jobId, period })}`),
  timeToHire: (period: ChartPeriod) => request<TimeToHire>('GET', `/api/reports/time-to-hire?${q({ period })}`),
  noShows: (period: ChartPeriod) => request<NoShowsByJob>('GET', `/api/reports/no-shows/by-job?${q({ period })}`),
  interviewerLoad: (period: ChartPeriod) => request<InterviewerLoad>('GET', `/api/reports/interviewer-load?${q({ period })}`),
  chart,
};
