import type { Consent, ConsentPurpose, DataRequest, InterviewSummary, Scorecard } from '../../../contracts/privacy';

export type DataClass = 'raw_audio' | 'rejected_candidate_data' | 'audit_events' | 'transcripts';

export interface DataRequestRecord extends DataRequest {
  readonly export: unknown;
}

export interface CandidateInterviewRecord {
  readonly id: string;
  readonly applicationId: string;
  readonly jobTitle: string;
  readonly roundName: string;
  readonly status: string;
  readonly mode: 'onsite' | 'video' | 'phone';
  readonly startsAt: Date | null;
  readonly endsAt: Date | null;
  readonly location: string;
  readonly meetingUrl: string | null;
  readonly panelTitles: string[];
  /** The candidate's own zone when known; times are shown in it, with the tenant's beside when they differ. */
  readonly candidateTimeZone: string | null;
  readonly tenantTimeZone: string;
  readonly checkedInAt: Date | null;
}

/** Reads and writes of the privacy core: consents, data-subject requests, scopes, retention, self-service views. */
export interface PrivacyStore {
  listConsents(tenantId: string, candidateId: string): Promise<Consent[]>;
  /** Gives consent for a purpose; an active consent for it is kept as it is (idempotent). */
  giveConsent(tenantId: string, candidateId: string, input: { purpose: ConsentPurpose; noticeVersion: string; channel: Consent['channel']; now: Date }): Promise<Consent>;
  /** The candidate's interviews, newest first (limited to one application for an invitation-link session). */
  listCandidateInterviews(tenantId: string, candidateId: string, applicationId: string | null): Promise<CandidateInterviewRecord[]>;
  withdrawConsent(tenantId: string, candidateId: string, purpose: ConsentPurpose, now: Date): Promise<boolean>;

  insertDataRequest(input: { tenantId: string; candidateId: string; kind: DataRequest['kind']; details: string; dueAt: Date; now: Date }): Promise<DataRequestRecord>;
  findDataRequest(tenantId: string, requestId: string, now: Date): Promise<DataRequestRecord | undefined>;
  listDataRequests(tenantId: string, filter: { candidateId?: string; status?: DataRequest['status'] }, now: Date): Promise<DataRequest[]>;
  /** Compare-and-set from open; false when it was already resolved. */
  resolveDataRequest(
    tenantId: string,
    requestId: string,
    outcome: { status: 'completed' | 'rejected'; resolution: string; handledBy: string; export: unknown; now: Date },
  ): Promise<boolean>;
  /** Everything stored about a candidate besides the encrypted fields, for the copy of their data. */
  candidateRecords(tenantId: string, candidateId: string): Promise<Record<string, unknown>>;

  listInvitations(tenantId: string, candidateId: string, onlyInvitationId: string | null, now: Date): Promise<
    { id: string; jobTitle: string; interviewId: string | null; expiresAt: Date; live: boolean; applicationId: string }[]
  >;
  findCandidateInterview(tenantId: string, candidateId: string, interviewId: string): Promise<CandidateInterviewRecord | undefined>;
  findSurvey(tenantId: string, interviewId: string): Promise<{ status: 'scheduled' | 'sent' | 'answered' | 'expired'; sendAt: Date; answeredAt: Date | null } | undefined>;
  /** Which application an invitation is for (a session from an invitation sees only that application's things). */
  invitationApplication(tenantId: string, invitationId: string): Promise<string | undefined>;

  findInterview(tenantId: string, interviewId: string): Promise<InterviewSummary | undefined>;
  listScorecards(tenantId: string, interviewId: string): Promise<Scorecard[]>;

  getScopes(tenantId: string, employeeId: string): Promise<string[] | undefined>;
  setScopes(tenantId: string, employeeId: string, departmentIds: readonly string[]): Promise<boolean>;
  listRetentionPolicies(tenantId: string): Promise<{ dataClass: DataClass; retainDays: number }[]>;
  setRetentionPolicy(tenantId: string, dataClass: DataClass, retainDays: number, now: Date): Promise<void>;
}
