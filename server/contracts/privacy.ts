import { z } from 'zod';
import { Id, Timestamp } from './common';

/** Sign-in. Tokens are opaque, 256-bit, and shown once. */
export const EmployeeCodeSignIn = z
  .object({ platform: z.enum(['wecom', 'dingtalk']), corpId: z.string().min(1).max(64), code: z.string().min(1).max(512) })
  .strict();
export const CandidateCodeSignIn = z
  .object({
    appId: z.string().regex(/^wx[0-9a-f]{16}$/, { message: '不是小程序 AppID Not a mini-program AppID' }),
    code: z.string().min(1).max(512),
    invitationToken: z.string().max(100).optional(),
  })
  .strict();
export const InvitationSignIn = z.object({ token: z.string().min(1).max(100) }).strict();
export const WebSignInStart = z.object({
  platform: z.enum(['wecom', 'dingtalk']),
  corpId: z.string().min(1).max(64),
  returnTo: z.string().max(200).optional(),
});
export const WebSignInCallback = z.object({
  state: z.string().min(1).max(100),
  code: z.string().min(1).max(512).optional(),
  authCode: z.string().min(1).max(512).optional().describe('DingTalk names the code authCode'),
});
export const SessionIssued = z
  .object({ token: z.string(), expiresAt: Timestamp, idleTimeoutSeconds: z.number().int() })
  .meta({ id: 'SessionIssued' });
export const SignedOut = z.object({ signedOut: z.literal(true) });

export const IssueInvitation = z
  .object({ interviewId: Id.nullable().default(null), validDays: z.number().int().min(1).max(60).default(14) })
  .strict();
export const InvitationIssued = z
  .object({ invitationId: Id, token: z.string(), url: z.string(), expiresAt: Timestamp })
  .meta({ id: 'InvitationIssued' });

/** Consent (PIPL Art. 14, 29): purpose-specific; recording and transcription each need their own. */
export const ConsentPurpose = z.enum(['personal_data', 'interview_recording', 'transcription', 'talent_pool']);
export type ConsentPurpose = z.infer<typeof ConsentPurpose>;
export const Consent = z
  .object({
    id: Id,
    purpose: ConsentPurpose,
    noticeVersion: z.string(),
    channel: z.enum(['miniapp', 'kf', 'h5', 'paper']),
    givenAt: Timestamp,
    withdrawnAt: Timestamp.nullable(),
  })
  .meta({ id: 'Consent' });
export type Consent = z.infer<typeof Consent>;
export const ConsentList = z.object({ items: z.array(Consent) });
export const GiveConsent = z
  .object({
    purpose: ConsentPurpose,
    noticeVersion: z.string().trim().min(1).max(40),
    channel: z.enum(['miniapp', 'kf', 'h5']).default('miniapp'),
  })
  .strict();
export const PurposeParams = z.object({ purpose: ConsentPurpose });

/** Data-subject requests (PIPL Art. 44–47). */
export const DataRequestKind = z.enum(['access', 'correction', 'deletion']);
export const DataRequest = z
  .object({
    id: Id,
    candidateId: Id,
    candidateName: z.string().optional(),
    kind: DataRequestKind,
    status: z.enum(['open', 'completed', 'rejected']),
    details: z.string(),
    dueAt: Timestamp,
    overdue: z.boolean(),
    resolution: z.string().nullable(),
    completedAt: Timestamp.nullable(),
    createdAt: Timestamp,
    hasExport: z.boolean(),
  })
  .meta({ id: 'DataRequest' });
export type DataRequest = z.infer<typeof DataRequest>;
export const DataRequestList = z.object({ items: z.array(DataRequest) });
export const CreateDataRequest = z
  .object({ kind: DataRequestKind, details: z.string().trim().max(2000).default('') })
  .strict();
export const ResolveDataRequest = z
  .object({
    outcome: z.enum(['completed', 'rejected']),
    resolution: z.string().trim().min(2).max(2000),
  })
  .strict();
export const DataRequestQuery = z.object({ status: z.enum(['open', 'completed', 'rejected']).optional() });
/** The copy of my data: machine-readable JSON plus a readable summary (Chinese first). */
export const DataExport = z
  .object({ requestId: Id, generatedAt: Timestamp, summary: z.string(), data: z.record(z.string(), z.unknown()) })
  .meta({ id: 'DataExport' });

/** What a candidate sees of their own interviews: times, place, the panel's titles — no interviewer personal data. */
export const CandidateInterview = z
  .object({
    id: Id,
    jobTitle: z.string(),
    roundName: z.string(),
    status: z.string(),
    mode: z.enum(['onsite', 'video', 'phone']),
    startsAt: Timestamp.nullable(),
    endsAt: Timestamp.nullable(),
    timeZone: z.string().describe("The candidate's zone (the tenant's when unknown)"),
    timeLabel: z.string().nullable().describe("In the candidate's zone, with the tenant's time beside when it differs"),
    location: z.string(),
    mapUrl: z.string().nullable().describe('A map search for an on-site place'),
    meetingUrl: z.string().nullable(),
    bring: z.array(z.string()).describe('What to bring or prepare'),
    panelTitles: z.array(z.string()),
    checkedInAt: Timestamp.nullable(),
  })
  .meta({ id: 'CandidateInterview' });
export type CandidateInterview = z.infer<typeof CandidateInterview>;
export const CandidateInterviewList = z.object({ items: z.array(CandidateInterview) });
export const CandidateInvitation = z
  .object({ id: Id, jobTitle: z.string(), interviewId: Id.nullable(), expiresAt: Timestamp, live: z.boolean() })
  .meta({ id: 'CandidateInvitation' });
export const CandidateInvitationList = z.object({ items: z.array(CandidateInvitation) });
export const CandidateSelf = z
  .object({
    id: Id,
    name: z.string(),
    phoneMasked: z.string().nullable(),
    emailMasked: z.string().nullable(),
    invitationOnly: z.boolean().describe('Signed in with an invitation link: only that invitation is visible'),
  })
  .meta({ id: 'CandidateSelf' });
export const SurveyQuestion = z.object({ position: z.number().int().min(1).max(5), text: z.string().trim().min(1).max(100), kind: z.enum(['rating', 'text']) });
export const CandidateSurvey = z
  .object({
    interviewId: Id,
    status: z.enum(['scheduled', 'sent', 'answered', 'expired']),
    sendAt: Timestamp,
    answeredAt: Timestamp.nullable(),
    questions: z.array(SurveyQuestion).describe('Asked besides the 0–10 pulse; answers keyed q1..q5'),
  })
  .meta({ id: 'CandidateSurvey' });
export const AnswerSurvey = z
  .object({
    score: z.number().int().min(0).max(10),
    answers: z.record(z.string().regex(/^q[1-5]$/), z.union([z.number().int(), z.string().max(500)])).default({}),
    comment: z.string().trim().max(1000).nullable().default(null),
  })
  .strict();
export const SurveyAnswered = z.object({ interviewId: Id, status: z.literal('answered') });
export const SatisfactionQuery = z.object({ jobId: Id.optional(), interviewerId: Id.optional() });
export const Satisfaction = z
  .object({
    responses: z.number().int(),
    shown: z.boolean().describe('false below 5 answers: only the count is given'),
    averageScore: z.number().optional(),
    nps: z.number().optional(),
    questions: z.array(z.object({ text: z.string(), answers: z.number().int(), average: z.number().nullable() })).optional(),
    comments: z.array(z.string()).optional().describe('Without anything that names or dates the candidate'),
  })
  .meta({ id: 'Satisfaction' });
export const SurveySettings = z.object({ questions: z.array(SurveyQuestion).max(5) }).strict();
export const InterviewParams = z.object({ interviewId: Id });
export const DataRequestParams = z.object({ requestId: Id });

/** Interviews as employees see them: candidate by name only; contact data stays with HR. */
export const InterviewSummary = z
  .object({
    id: Id,
    applicationId: Id,
    jobId: Id,
    jobTitle: z.string(),
    candidateName: z.string(),
    roundName: z.string(),
    status: z.string(),
    mode: z.enum(['onsite', 'video', 'phone']),
    startsAt: Timestamp.nullable(),
    endsAt: Timestamp.nullable(),
    location: z.string(),
    panel: z.array(z.object({ employeeId: Id, name: z.string(), title: z.string().nullable(), role: z.enum(['lead', 'member', 'shadow']) })),
  })
  .meta({ id: 'InterviewSummary' });
export type InterviewSummary = z.infer<typeof InterviewSummary>;
export const Scorecard = z
  .object({
    interviewerId: Id,
    interviewerName: z.string(),
    status: z.enum(['draft', 'submitted']),
    recommendation: z.enum(['strong_no', 'no', 'yes', 'strong_yes', 'no_decision']).nullable(),
    summary: z.string(),
    submittedAt: Timestamp.nullable(),
  })
  .meta({ id: 'Scorecard' });
export type Scorecard = z.infer<typeof Scorecard>;
export const ScorecardList = z.object({ items: z.array(Scorecard) });

/** Administration: HR department scopes and retention. */
export const EmployeeParams = z.object({ employeeId: Id });
export const SetScopes = z.object({ departmentIds: z.array(Id).max(200) }).strict();
export const Scopes = z.object({ employeeId: Id, departmentIds: z.array(Id) });
export const RetentionPolicy = z.object({
  dataClass: z.enum(['raw_audio', 'rejected_candidate_data', 'audit_events', 'transcripts']),
  retainDays: z.number().int().min(1).max(3650),
});
export const RetentionPolicies = z.object({ items: z.array(RetentionPolicy) });
export const SetRetentionPolicies = z.object({ items: z.array(RetentionPolicy).min(1).max(4) }).strict();

/** What wx.requestSubscribeMessage answered at the confirm tap, per template id (one "accept" = one send right). */
export const SubscriptionResults = z
  .object({ results: z.record(z.string().min(1).max(128), z.enum(['accept', 'reject', 'ban', 'filter'])) })
  .strict()
  .refine((v) => Object.keys(v.results).length > 0 && Object.keys(v.results).length <= 10, { message: '1 到 10 个模板 1 to 10 templates', path: ['results'] });
export const SubscriptionsRecorded = z.object({ accepted: z.array(z.string()) });
