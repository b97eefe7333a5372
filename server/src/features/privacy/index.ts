import type { Consent, ConsentPurpose, DataRequest, InterviewSummary, Scorecard } from '../../../contracts/privacy';
import { scopeOf } from '../../domain/access-scope';
import { AppError, notFound } from '../../domain/errors';
import { actorRef, hrRoles, isAdmin, requireRole, type CandidatePrincipal, type Principal } from '../../domain/principal';
import type { FeatureContext, Stores } from '../context';
import type { CandidateInterviewRecord, DataClass } from './privacy-store';
import { formatForViewer } from '../../domain/scheduling/render-time';

export type { PrivacyStore, DataClass, DataRequestRecord, CandidateInterviewRecord } from './privacy-store';

/** Data-subject requests are answered within 15 days (GB/T 35273-2020 §8.7 asks for 15 working days at most). */
export const dataRequestDueDays = 15;

/** Network logs are kept at least six months (Cybersecurity Law of the PRC, Art. 21). */
export const minimumAuditDays = 180;

const interviewNotFound = () => notFound('Interview', '面试');
const requestNotFound = () => notFound('Data request', '个人信息请求');

// —— Candidate self-service ——————————————————————————————————————————————————————————————————

/** The application a session from an invitation link is limited to, or null for a full candidate session. */
async function limitOf(stores: Stores, principal: CandidatePrincipal): Promise<string | null> {
  if (!principal.invitationId) return null;
  return (await stores.privacy.invitationApplication(principal.tenantId, principal.invitationId)) ?? '00000000-0000-0000-0000-000000000000';
}

export async function getCandidateSelf(ctx: FeatureContext, principal: CandidatePrincipal) {
  const candidate = await ctx.stores.candidates.findCandidate(principal.tenantId, principal.candidateId);
  if (!candidate) throw notFound('Candidate', '候选人');
  return { id: candidate.id, name: candidate.name, phoneMasked: candidate.phoneMasked, emailMasked: candidate.emailMasked, invitationOnly: principal.invitationId !== null };
}

export async function listOwnInvitations(ctx: FeatureContext, principal: CandidatePrincipal) {
  const rows = await ctx.stores.privacy.listInvitations(principal.tenantId, principal.candidateId, principal.invitationId, ctx.clock.now());
  return rows.map((r) => ({ id: r.id, jobTitle: r.jobTitle, interviewId: r.interviewId, expiresAt: r.expiresAt.toISOString(), live: r.live }));
}

/** What to bring, by the kind of interview (shown on the invitation). */
const bringByMode: Record<CandidateInterviewRecord['mode'], string[]> = {
  onsite: ['身份证件（前台登记）', '简历一份（可选）', '作品集或项目材料（如有）'],
  video: ['安静、光线充足的环境', '耳机与麦克风', '提前 5 分钟打开会议链接试音'],
  phone: ['安静的环境', '保持电话畅通'],
};

function candidateView(interview: CandidateInterviewRecord) {
  const viewerZone = interview.candidateTimeZone ?? interview.tenantTimeZone;
  const place = interview.mode === 'onsite' && interview.location.trim() !== '' ? interview.location.trim() : null;
  return {
    id: interview.id,
    jobTitle: interview.jobTitle,
    roundName: interview.roundName,
    status: interview.status,
    mode: interview.mode,
    startsAt: interview.startsAt?.toISOString() ?? null,
    endsAt: interview.endsAt?.toISOString() ?? null,
    timeZone: viewerZone,
    timeLabel: interview.startsAt
      ? formatForViewer(interview.endsAt ? { start: interview.startsAt, end: interview.endsAt } : interview.startsAt, viewerZone, interview.tenantTimeZone)
      : null,
    location: interview.location,
    mapUrl: place ? `https://uri.amap.com/search?keyword=${encodeURIComponent(place)}` : null,
    meetingUrl: interview.meetingUrl,
    bring: bringByMode[interview.mode],
    panelTitles: interview.panelTitles,
    checkedInAt: interview.checkedInAt?.toISOString() ?? null,
  };
}

export async function getOwnInterview(ctx: FeatureContext, principal: CandidatePrincipal, interviewId: string) {
  const interview = await ctx.stores.privacy.findCandidateInterview(principal.tenantId, principal.candidateId, interviewId);
  const limit = await limitOf(ctx.stores, principal);
  if (!interview || (limit && interview.applicationId !== limit)) throw interviewNotFound();
  return candidateView(interview);
}

/** My interviews and their status (one application only when signed in with an invitation link). */
export async function listOwnInterviews(ctx: FeatureContext, principal: CandidatePrincipal) {
  const limit = await limitOf(ctx.stores, principal);
  const rows = await ctx.stores.privacy.listCandidateInterviews(principal.tenantId, principal.candidateId, limit);
  return rows.map(candidateView);
}

export async function getOwnSurvey(ctx: FeatureContext, principal: CandidatePrincipal, interviewId: string) {
  await getOwnInterview(ctx, principal, interviewId);
  const survey = await ctx.stores.privacy.findSurvey(principal.tenantId, interviewId);
  if (!survey) throw notFound('Survey', '问卷');
  const questions = await ctx.stores.surveys.questions(principal.tenantId);
  return { interviewId, status: survey.status, sendAt: survey.sendAt.toISOString(), answeredAt: survey.answeredAt?.toISOString() ?? null, questions };
}

export async function listOwnConsents(ctx: FeatureContext, principal: CandidatePrincipal): Promise<Consent[]> {
  return ctx.stores.privacy.listConsents(principal.tenantId, principal.candidateId);
}

/** Consent is given per purpose, with the notice version shown; recording and transcription each need their own. */
export async function giveConsent(
  ctx: FeatureContext,
  principal: CandidatePrincipal,
  input: { purpose: ConsentPurpose; noticeVersion: string; channel: 'miniapp' | 'kf' | 'h5' },
  requestId: string,
): Promise<Consent> {
  return ctx.transact(async (stores) => {
    const consent = await stores.privacy.giveConsent(principal.tenantId, principal.candidateId, { ...input, now: ctx.clock.now() });
    await stores.audit.append({
      tenantId: principal.tenantId,
      actor: actorRef(principal),
      action: 'consent.give',
      objectType: 'candidate',
      objectId: principal.candidateId,
      requestId,
      details: { purpose: input.purpose, noticeVersion: input.noticeVersion, channel: input.channel },
    });
    if (input.purpose === 'talent_pool') {
      await stores.candidates.updateCandidate(principal.tenantId, principal.candidateId, { talentPool: true }, ctx.clock.now());
    }
    return consent;
  });
}

/**
 * Withdrawal takes effect at once: the database refuses new audio or transcript rows for the candidate's interviews
 * from this commit on (the consent triggers), and leaving the talent pool makes the retention clock apply again.
 */
export async function withdrawConsent(ctx: FeatureContext, principal: CandidatePrincipal, purpose: ConsentPurpose, requestId: string): Promise<Consent[]> {
  return ctx.transact(async (stores) => {
    const withdrawn = await stores.privacy.withdrawConsent(principal.tenantId, principal.candidateId, purpose, ctx.clock.now());
    if (!withdrawn) throw notFound('Consent', '同意记录');
    await stores.audit.append({
      tenantId: principal.tenantId,
      actor: actorRef(principal),
      action: 'consent.withdraw',
      objectType: 'candidate',
      objectId: principal.candidateId,
      requestId,
      details: { purpose },
    });
    if (purpose === 'talent_pool') {
      await stores.candidates.updateCandidate(principal.tenantId, principal.candidateId, { talentPool: false }, ctx.clock.now());
    }
    return stores.privacy.listConsents(principal.tenantId, principal.candidateId);
  });
}

/** Whether audio may be recorded / transcribed for an interview now (the live-notes page asks before it starts). */
export async function processingAllowed(ctx: FeatureContext, tenantId: string, candidateId: string): Promise<{ recording: boolean; transcription: boolean }> {
  const consents = await ctx.stores.privacy.listConsents(tenantId, candidateId);
  const active = (purpose: ConsentPurpose) => consents.some((c) => c.purpose === purpose && c.withdrawnAt === null);
  return { recording: active('interview_recording'), transcription: active('transcription') };
}

export async function createDataRequest(
  ctx: FeatureContext,
  principal: CandidatePrincipal,
  input: { kind: DataRequest['kind']; details: string },
  requestId: string,
): Promise<DataRequest> {
  const now = ctx.clock.now();
  return ctx.transact(async (stores) => {
    const { export: _export, ...request } = await stores.privacy.insertDataRequest({
      tenantId: principal.tenantId,
      candidateId: principal.candidateId,
      kind: input.kind,
      details: input.details,
      dueAt: new Date(now.getTime() + dataRequestDueDays * 86_400_000),
      now,
    });
    await stores.audit.append({
      tenantId: principal.tenantId,
      actor: actorRef(principal),
      action: 'data_request.create',
      objectType: 'data_request',
      objectId: request.id,
      requestId,
      details: { kind: input.kind },
    });
    const { candidateName: _name, ...own } = request;
    return own;
  });
}

export async function listOwnDataRequests(ctx: FeatureContext, principal: CandidatePrincipal): Promise<DataRequest[]> {
  const items = await ctx.stores.privacy.listDataRequests(principal.tenantId, { candidateId: principal.candidateId }, ctx.clock.now());
  return items.map(({ candidateName: _name, ...own }) => own);
}

/** The copy of my data, once HR has completed the access request; each download is audited. */
export async function downloadOwnExport(ctx: FeatureContext, principal: CandidatePrincipal, requestId: string, httpRequestId: string) {
  const request = await ctx.stores.privacy.findDataRequest(principal.tenantId, requestId, ctx.clock.now());
  if (!request || request.candidateId !== principal.candidateId || request.kind !== 'access') throw requestNotFound();
  if (request.status !== 'completed' || !request.export) {
    throw new AppError('CONFLICT', '数据副本尚未准备好。The copy of your data is not ready yet.');
  }
  await ctx.stores.audit.append({
    tenantId: principal.tenantId,
    actor: actorRef(principal),
    action: 'data_request.download',
    objectType: 'data_request',
    objectId: requestId,
    requestId: httpRequestId,
  });
  return request.export as { requestId: string; generatedAt: string; summary: string; data: Record<string, unknown> };
}

// —— HR side ————————————————————————————————————————————————————————————————————————————————

async function visibleRequest(ctx: FeatureContext, stores: Stores, principal: Principal, requestId: string) {
  const request = await stores.privacy.findDataRequest(principal.tenantId, requestId, ctx.clock.now());
  if (!request) throw requestNotFound();
  // HR handles the requests of candidates they can see.
  if (!(await stores.candidates.findCandidate(principal.tenantId, request.candidateId, { scope: scopeOf(principal) }))) throw requestNotFound();
  return request;
}

/** Open requests first, by deadline, with `overdue` set: the list HR works from. */
export async function listDataRequests(ctx: FeatureContext, principal: Principal, filter: { status?: DataRequest['status'] }): Promise<DataRequest[]> {
  requireRole(principal, hrRoles);
  const all = await ctx.stores.privacy.listDataRequests(principal.tenantId, filter, ctx.clock.now());
  if (isAdmin(principal)) return all;
  const visible: DataRequest[] = [];
  for (const request of all) {
    if (await ctx.stores.candidates.findCandidate(principal.tenantId, request.candidateId, { scope: scopeOf(principal) })) visible.push(request);
  }
  return visible;
}

function summaryOf(data: Record<string, unknown>, personal: Record<string, unknown>, generatedAt: string): string {
  const apps = (data.applications as unknown[] | undefined)?.length ?? 0;
  const interviews = (data.interviews as unknown[] | undefined)?.length ?? 0;
  const consents = (data.consents as unknown[] | undefined)?.length ?? 0;
  return [
    `您的个人信息副本（生成于 ${generatedAt}）`,
    `姓名：${String((data.candidate as { name?: string } | undefined)?.name ?? '')}`,
    `手机：${String(personal.phone ?? '未提供')}；邮箱：${String(personal.email ?? '未提供')}；证件号：${personal.idNumber ? '已提供（见 JSON）' : '未提供'}`,
    `申请 ${apps} 条，面试 ${interviews} 场，同意记录 ${consents} 条。完整内容见 data 字段（JSON）。`,
    `A copy of your personal data (generated ${generatedAt}): ${apps} applications, ${interviews} interviews, ${consents} consent records; everything is in the data field (JSON).`,
  ].join('\n');
}

/**
 * HR resolves a request. Access: the copy is generated and stored for the candidate to download (an export,
 * audited). Deletion: the candidate's personal data is anonymised in the same transaction (aggregate statistics
 * stay). Correction: HR edits the candidate first, then records what changed. A rejection needs a reason.
 */
export async function resolveDataRequest(
  ctx: FeatureContext,
  principal: Principal,
  requestId: string,
  input: { outcome: 'completed' | 'rejected'; resolution: string },
  httpRequestId: string,
): Promise<DataRequest> {
  requireRole(principal, hrRoles);
  const now = ctx.clock.now();
  return ctx.transact(async (stores) => {
    const request = await visibleRequest(ctx, stores, principal, requestId);
    if (request.status !== 'open') throw new AppError('CONFLICT', '该请求已处理。The request was already resolved.');
    let exported: unknown;
    if (input.outcome === 'completed' && request.kind === 'access') {
      const personal = (await stores.candidates.revealCandidate(principal.tenantId, request.candidateId, ['phone', 'email', 'idNumber', 'resumeText'])) ?? {};
      const records = await stores.privacy.candidateRecords(principal.tenantId, request.candidateId);
      const data = { ...records, personal, consents: await stores.privacy.listConsents(principal.tenantId, request.candidateId) };
      const generatedAt = now.toISOString();
      exported = { requestId, generatedAt, summary: summaryOf(data, personal, generatedAt), data };
      await stores.audit.append({
        tenantId: principal.tenantId,
        actor: actorRef(principal),
        action: 'candidate.export',
        objectType: 'candidate',
        objectId: request.candidateId,
        reason: `data_request:${requestId}`,
        requestId: httpRequestId,
      });
    }
    if (input.outcome === 'completed' && request.kind === 'deletion') {
      await stores.retention.anonymiseCandidate(principal.tenantId, request.candidateId, { runId: null, reason: 'data_request', now });
    }
    const resolved = await stores.privacy.resolveDataRequest(principal.tenantId, requestId, {
      status: input.outcome,
      resolution: input.resolution,
      handledBy: principal.employeeId,
      export: exported,
      now,
    });
    if (!resolved) throw new AppError('CONFLICT', '该请求已处理。The request was already resolved.');
    await stores.audit.append({
      tenantId: principal.tenantId,
      actor: actorRef(principal),
      action: `data_request.${input.outcome}`,
      objectType: 'data_request',
      objectId: requestId,
      reason: input.resolution,
      requestId: httpRequestId,
      details: { kind: request.kind },
    });
    const { export: _export, ...after } = (await stores.privacy.findDataRequest(principal.tenantId, requestId, now))!;
    return after;
  });
}

export async function listCandidateConsents(ctx: FeatureContext, principal: Principal, candidateId: string): Promise<Consent[]> {
  requireRole(principal, hrRoles);
  if (!(await ctx.stores.candidates.findCandidate(principal.tenantId, candidateId, { scope: scopeOf(principal) }))) throw notFound('Candidate', '候选人');
  return ctx.stores.privacy.listConsents(principal.tenantId, candidateId);
}

// —— Interviews as employees see them ————————————————————————————————————————————————————————————

/** HR and hiring managers whose scope covers the job, and the interview's panel. Others: 404. */
async function visibleInterview(ctx: FeatureContext, principal: Principal, interviewId: string): Promise<{ interview: InterviewSummary; onPanel: boolean; byScope: boolean }> {
  const interview = await ctx.stores.privacy.findInterview(principal.tenantId, interviewId);
  if (!interview) throw interviewNotFound();
  const onPanel = interview.panel.some((p) => p.employeeId === principal.employeeId);
  const hiringSide = principal.roles.some((r) => r === 'admin' || r === 'hr' || r === 'hiring_manager');
  const byScope = hiringSide && Boolean(await ctx.stores.jobs.findJob(principal.tenantId, interview.jobId, { scope: scopeOf(principal) }));
  if (!onPanel && !byScope) throw interviewNotFound();
  return { interview, onPanel, byScope };
}

export async function getInterview(ctx: FeatureContext, principal: Principal, interviewId: string): Promise<InterviewSummary> {
  return (await visibleInterview(ctx, principal, interviewId)).interview;
}

/**
 * Scorecards of an interview. Independent scoring binds every scoring panelist, an HR person or hiring manager on the
 * panel too (as in the debrief): before their own is submitted they see only their own; after, the others' submitted
 * ones (another's unfinished draft is not shown to a panelist). HR and hiring managers in scope who do not score on
 * this panel (off it, or a shadow) see all; a shadow out of scope sees none.
 */
export async function listInterviewScorecards(ctx: FeatureContext, principal: Principal, interviewId: string): Promise<Scorecard[]> {
  const { interview, byScope } = await visibleInterview(ctx, principal, interviewId);
  const cards = await ctx.stores.privacy.listScorecards(principal.tenantId, interviewId);
  const seat = interview.panel.find((p) => p.employeeId === principal.employeeId);
  const own = cards.find((c) => c.interviewerId === principal.employeeId);
  if (seat && seat.role !== 'shadow') {
    if (own?.status !== 'submitted') return own ? [own] : [];
    return cards.filter((c) => c === own || c.status === 'submitted');
  }
  if (byScope) return cards;
  return own ? [own] : [];
}

// —— Administration —————————————————————————————————————————————————————————————————————————————

export async function getScopes(ctx: FeatureContext, principal: Principal, employeeId: string) {
  requireRole(principal, ['admin']);
  const departmentIds = await ctx.stores.privacy.getScopes(principal.tenantId, employeeId);
  if (!departmentIds) throw notFound('Employee', '员工');
  return { employeeId, departmentIds };
}

export async function setScopes(ctx: FeatureContext, principal: Principal, employeeId: string, departmentIds: string[], requestId: string) {
  requireRole(principal, ['admin']);
  return ctx.transact(async (stores) => {
    if (!(await stores.privacy.setScopes(principal.tenantId, employeeId, departmentIds))) throw notFound('Employee', '员工');
    await stores.audit.append({
      tenantId: principal.tenantId,
      actor: actorRef(principal),
      action: 'employee.scopes',
      objectType: 'employee',
      objectId: employeeId,
      requestId,
      details: { departmentIds },
    });
    return { employeeId, departmentIds: [...new Set(departmentIds)].sort() };
  });
}

export async function listRetentionPolicies(ctx: FeatureContext, principal: Principal) {
  requireRole(principal, hrRoles);
  return ctx.stores.privacy.listRetentionPolicies(principal.tenantId);
}

export async function setRetentionPolicies(
  ctx: FeatureContext,
  principal: Principal,
  items: { dataClass: DataClass; retainDays: number }[],
  requestId: string,
) {
  requireRole(principal, ['admin']);
  const tooShort = items.findIndex((item) => item.dataClass === 'audit_events' && item.retainDays < minimumAuditDays);
  if (tooShort >= 0) {
    throw new AppError('VALIDATION_FAILED', '请求参数不正确。The request has invalid fields.', [
      { path: `body.items.${tooShort}.retainDays`, message: `审计日志至少保留 ${minimumAuditDays} 天（网络安全法第二十一条）Audit logs are kept at least ${minimumAuditDays} days (Cybersecurity Law Art. 21)` },
    ]);
  }
  return ctx.transact(async (stores) => {
    for (const item of items) await stores.privacy.setRetentionPolicy(principal.tenantId, item.dataClass, item.retainDays, ctx.clock.now());
    await stores.audit.append({
      tenantId: principal.tenantId,
      actor: actorRef(principal),
      action: 'retention.update',
      objectType: 'tenant',
      objectId: principal.tenantId,
      requestId,
      details: { items },
    });
    return stores.privacy.listRetentionPolicies(principal.tenantId);
  });
}
