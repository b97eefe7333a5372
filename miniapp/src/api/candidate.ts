import type { z } from 'zod';
import type {
  CandidateInterview as CandidateInterviewSchema,
  CandidateInvitation as CandidateInvitationSchema,
  CandidateSurvey as CandidateSurveySchema,
  Consent as ConsentSchema,
  DataRequest as DataRequestSchema,
} from '@hirebridge/server/contracts';
import Taro from '@tarojs/taro';
import { api, onSessionEnded, saveSession, sessionToken } from './client';
import { signIn } from '../platform/session';

/** The server's shapes, from the shared contracts (types only: nothing of the server is bundled). */
export type CandidateInterview = z.infer<typeof CandidateInterviewSchema>;
export type CandidateInvitation = z.infer<typeof CandidateInvitationSchema>;
export type CandidateSurvey = z.infer<typeof CandidateSurveySchema>;
export type Consent = z.infer<typeof ConsentSchema>;
export type DataRequest = z.infer<typeof DataRequestSchema>;
export type ConsentPurpose = Consent['purpose'];
export interface Slot {
  readonly startsAt: string;
  readonly endsAt: string;
  readonly label: string;
}

/** The version of the privacy notice the pages show; a consent records which one the candidate saw. */
export const noticeVersion = '2026-12';

/**
 * A session for this page: a fresh sign-in when the page was opened with an invitation token (the link may be for
 * another invitation), else the stored one, else (mini-program only) a WeChat sign-in.
 */
export async function ensureSession(invitationToken: string | null): Promise<void> {
  if (!invitationToken && sessionToken()) return;
  const token = invitationToken ?? rememberedInvitation();
  const session = await signIn(token);
  saveSession(session.token);
  if (token) Taro.setStorageSync(invitationKey, token);
}

/**
 * The invitation link the candidate came in with, kept on their device (it is what the link itself carries) so that
 * a later page — the reception QR code on the day, the survey link — can sign in again after the session idled out.
 */
const invitationKey = 'hb.candidate.invitation';
function rememberedInvitation(): string | null {
  const value: unknown = Taro.getStorageSync(invitationKey);
  return typeof value === 'string' && value !== '' ? value : null;
}

onSessionEnded(async () => {
  const session = await signIn(rememberedInvitation());
  saveSession(session.token);
  return true;
});

export const candidateApi = {
  invitations: () => api<{ items: CandidateInvitation[] }>('GET', '/api/candidate/invitations'),
  interviews: () => api<{ items: CandidateInterview[] }>('GET', '/api/candidate/interviews'),
  interview: (id: string) => api<CandidateInterview>('GET', `/api/candidate/interviews/${id}`),
  confirm: (id: string) => api<{ status: string }>('POST', `/api/candidate/interviews/${id}/confirm`),
  decline: (id: string, reason: string) => api<{ status: string }>('POST', `/api/candidate/interviews/${id}/decline`, { reason }),
  slots: (id: string) => api<{ items: Slot[]; truncated: boolean }>('GET', `/api/candidate/interviews/${id}/slots`),
  reschedule: (id: string, startsAt: string, reason: string) =>
    api<{ status: string; startsAt: string }>('POST', `/api/candidate/interviews/${id}/reschedule`, { startsAt, reason }),
  hold: (id: string, startsAt: string) => api<{ holdExpiresAt: string }>('POST', `/api/candidate/interviews/${id}/hold`, { startsAt }),
  choose: (id: string, startsAt: string) => api<{ status: string }>('POST', `/api/candidate/interviews/${id}/choose`, { startsAt }),
  checkIn: (code: string) => api<{ interviewId: string; status: 'checked_in' }>('POST', '/api/candidate/check-in', { code }),
  survey: (id: string) => api<CandidateSurvey>('GET', `/api/candidate/interviews/${id}/survey`),
  answerSurvey: (id: string, body: { score: number; answers: Record<string, number | string>; comment: string | null }) =>
    api<unknown>('POST', `/api/candidate/interviews/${id}/survey`, body),
  consents: () => api<{ items: Consent[] }>('GET', '/api/candidate/consents'),
  giveConsent: (purpose: ConsentPurpose, channel: 'miniapp' | 'h5') => api<Consent>('POST', '/api/candidate/consents', { purpose, noticeVersion, channel }),
  withdrawConsent: (purpose: ConsentPurpose) => api<unknown>('POST', `/api/candidate/consents/${purpose}/withdraw`),
  dataRequests: () => api<{ items: DataRequest[] }>('GET', '/api/candidate/data-requests'),
  createDataRequest: (kind: DataRequest['kind'], details: string) => api<DataRequest>('POST', '/api/candidate/data-requests', { kind, details }),
  dataExport: (id: string) => api<{ summary: string; data: Record<string, unknown> }>('GET', `/api/candidate/data-requests/${id}/export`),
};

/** Where the consent was given, for the record. */
export const consentChannel: 'miniapp' | 'h5' = process.env.TARO_ENV === 'h5' ? 'h5' : 'miniapp';

export const statusText: Record<string, string> = {
  draft: '草稿',
  awaiting_candidate: '待您选择时间',
  scheduled: '待确认',
  confirmed: '已确认',
  checked_in: '已签到',
  in_progress: '进行中',
  completed: '已结束',
  no_show: '未到场',
  declined: '已婉拒',
  cancelled: '已取消',
};

export const modeText: Record<CandidateInterview['mode'], string> = { onsite: '现场面试', video: '视频面试', phone: '电话面试' };
