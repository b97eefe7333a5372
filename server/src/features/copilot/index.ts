import { scopeOf } from '../../domain/access-scope';
import { resumeHighlights } from '../../domain/copilot/brief';
import { coverage, promptsForAnswer, type CompetencyText } from '../../domain/copilot/prompts';
import { AppError, notFound, type FieldIssue } from '../../domain/errors';
import { actorRef, hiringRoles, requireRole, type Principal } from '../../domain/principal';
import { applicationStage } from '../../domain/state-machines';
import { fromZoned, toZoned } from '../../domain/scheduling';
import type { FeatureContext, Stores } from '../context';
import { enqueueMessage } from '../outbox';
import type { CopilotInterview, ModelCompetency, Rating, Recommendation, Segment, StoredScorecard } from './copilot-store';
import { draftWithReport, ruleBasedDrafter, type ScorecardDrafter } from './drafter';

export type { CopilotStore } from './copilot-store';
export { ruleBasedDrafter, type ScorecardDrafter } from './drafter';

/** Scorecards are due this long after the interview ends unless the tenant set its own (scorecard_policies). */
export const defaultScorecardDueMinutes = 24 * 60;
/** The outbox channel the platform layer sends to candidates through the CandidateMessenger. */
const candidateMessageChannel = 'candidate_message';
const startedStatuses = new Set(['scheduled', 'confirmed', 'checked_in', 'in_progress', 'completed', 'no_show']);

const interviewNotFound = () => notFound('Interview', '面试');
const invalid = (issues: FieldIssue[]) => new AppError('VALIDATION_FAILED', '请求参数不正确。The request has invalid fields.', issues);

// —— Access ——————————————————————————————————————————————————————————————————————————————————————

/** The interview as seen by a panelist of it; anyone else gets 404 like an unknown id. */
async function asPanelist(stores: Stores, principal: Principal, interviewId: string, lock = false) {
  const interview = await stores.copilot.interview(principal.tenantId, interviewId, { lock });
  const seat = interview?.panel.find((p) => p.employeeId === principal.employeeId);
  if (!interview || !seat) throw interviewNotFound();
  return { interview, seat };
}

/** A panelist, or HR / a hiring manager whose scope covers the job; others 404. */
async function asPanelOrScope(stores: Stores, principal: Principal, interviewId: string, lock = false) {
  const interview = await stores.copilot.interview(principal.tenantId, interviewId, { lock });
  if (!interview) throw interviewNotFound();
  const seat = interview.panel.find((p) => p.employeeId === principal.employeeId);
  const hiringSide = principal.roles.some((r) => hiringRoles.includes(r));
  const byScope = hiringSide && Boolean(await stores.jobs.findJob(principal.tenantId, interview.jobId, { scope: scopeOf(principal) }));
  if (!seat && !byScope) throw interviewNotFound();
  return { interview, seat, byScope };
}

function competencyTexts(model: readonly ModelCompetency[]): CompetencyText[] {
  return model.map((c) => ({ id: c.id, name: c.name, description: c.description, questions: c.questions }));
}

/** Segments with the question being asked when each was said (a marked question holds until the next mark). */
async function segmentsWithQuestions(stores: Stores, interview: CopilotInterview): Promise<{ segments: Segment[]; tagged: { id: string; text: string; questionId: string | null }[] }> {
  const segments = await stores.copilot.segments(interview.tenantId, interview.id);
  const marks = await stores.copilot.questionMarks(interview.tenantId, interview.id);
  const tagged = segments.map((s) => {
    const mark = [...marks].reverse().find((m) => m.atMs <= s.startedMs);
    return { id: s.id, text: s.text, questionId: s.questionId ?? mark?.questionId ?? null };
  });
  return { segments, tagged };
}

// —— Before the interview ————————————————————————————————————————————————————————————————————————

/** Today's and upcoming interviews of the signed-in interviewer (from the start of today, local time). */
export async function myInterviews(ctx: FeatureContext, principal: Principal, days: number) {
  const now = ctx.clock.now();
  const timeZone = await tenantTimeZone(ctx, principal);
  const local = toZoned(now.getTime(), timeZone);
  const startOfToday = new Date(fromZoned({ year: local.year, month: local.month, day: local.day, hour: 0, minute: 0, second: 0 }, timeZone));
  const endOfToday = new Date(startOfToday.getTime() + 86_400_000);
  const until = new Date(startOfToday.getTime() + days * 86_400_000);
  const items = await ctx.stores.copilot.interviewsOf(principal.tenantId, principal.employeeId, startOfToday, until);
  const cards = await Promise.all(items.map((i) => ctx.stores.copilot.scorecard(principal.tenantId, i.id, principal.employeeId)));
  return {
    items: items.map((i, n) => ({
      id: i.id, status: i.status, startsAt: i.startsAt?.toISOString() ?? null, endsAt: i.endsAt?.toISOString() ?? null,
      today: Boolean(i.startsAt && i.startsAt < endOfToday), jobTitle: i.jobTitle, roundName: i.roundName, candidateName: i.candidateName,
      mode: i.mode, location: i.location, myRole: i.panel.find((p) => p.employeeId === principal.employeeId)!.role,
      scorecardStatus: (cards[n]?.status ?? 'none') as 'none' | 'draft' | 'submitted',
    })),
  };
}

/**
 * Scorecards the signed-in interviewer still owes, however long ago the interview ended: their own lead or member
 * seats (shadows do not score) on interviews that ended and were not cancelled, declined or a no-show (a no-show ends
 * the nudges, as it ends HR's late list; the scorecard page still takes a "no decision" card), without a submitted
 * scorecard. Due the tenant's deadline after the end (24 h by default); overdue once now is past it; the most overdue
 * first, paged like the other lists.
 */
export async function pendingScorecards(ctx: FeatureContext, principal: Principal, page: { limit: number; cursor?: string | undefined }) {
  const now = ctx.clock.now();
  const result = await ctx.stores.copilot.pendingScorecardsOf(principal.tenantId, principal.employeeId, now, defaultScorecardDueMinutes, page);
  return {
    items: result.items.map((r) => ({
      interviewId: r.interviewId, interviewStatus: r.interviewStatus, jobTitle: r.jobTitle, roundName: r.roundName, candidateName: r.candidateName,
      myRole: r.role, scorecardStatus: r.status, startsAt: r.startsAt?.toISOString() ?? null, endsAt: r.endsAt.toISOString(),
      dueAt: r.dueAt.toISOString(), overdue: now.getTime() > r.dueAt.getTime(), nudgesSent: r.nudgesSent,
    })),
    nextCursor: result.nextCursor,
  };
}

async function tenantTimeZone(ctx: FeatureContext, principal: Principal): Promise<string> {
  return (await ctx.stores.copilot.tenantTimeZone(principal.tenantId)) ?? 'Asia/Shanghai';
}

/** The interview kit: the pinned model version's competencies, rubric and questions, and this interviewer's focus. */
export async function getKit(ctx: FeatureContext, principal: Principal, interviewId: string) {
  const { interview, seat } = await asPanelOrScope(ctx.stores, principal, interviewId);
  const model = await ctx.stores.copilot.competencies(principal.tenantId, interview.modelId);
  const focus = seat?.focusCompetencyIds ?? [];
  // The live-notes socket needs both: recording (the phone's audio reaches the server) and transcription.
  const live = interview.consents.recording && interview.consents.transcription;
  return {
    interviewId, status: interview.status, startsAt: interview.startsAt?.toISOString() ?? null, endsAt: interview.endsAt?.toISOString() ?? null,
    jobTitle: interview.jobTitle, roundName: interview.roundName, candidateName: interview.candidateName,
    focusCompetencyIds: [...focus],
    notesMode: live ? ('live' as const) : ('typed_only' as const),
    notesModeReason: live ? null : '候选人尚未同意录音和转写，只能手写笔记。The candidate has not consented to recording and transcription, so only typed notes are possible.',
    competencies: model.map((c) => ({
      id: c.id, name: c.name, description: c.description, weight: c.weight, focus: focus.includes(c.id),
      rubric: c.rubric.map((r) => ({ ...r })), questions: c.questions.map((q) => ({ id: q.id, text: q.text, followUps: [...q.followUps] })),
    })),
  };
}

/**
 * The candidate brief: no contact data at all (interviewers do not need it), and résumé lines that match the job's
 * competencies by keyword, with the matched terms shown and any contact data inside them masked.
 */
export async function getBrief(ctx: FeatureContext, principal: Principal, interviewId: string) {
  const { interview } = await asPanelOrScope(ctx.stores, principal, interviewId);
  const model = await ctx.stores.copilot.competencies(principal.tenantId, interview.modelId);
  const resume = await ctx.stores.copilot.resumeText(principal.tenantId, interview.candidateId);
  return {
    interviewId, candidateName: interview.candidateName, jobTitle: interview.jobTitle, roundName: interview.roundName,
    highlights: resumeHighlights(resume, competencyTexts(model)).map((h) => ({ ...h, matchedTerms: [...h.matchedTerms] })),
    note: '亮点按胜任力与题目关键词匹配简历原文，仅供参考。Highlights are résumé lines matching competency and question keywords; a reading aid only.',
  };
}

// —— Live notes ——————————————————————————————————————————————————————————————————————————————————

const liveStatuses = new Set(['scheduled', 'confirmed', 'checked_in', 'in_progress', 'completed']);

function requireLive(interview: CopilotInterview) {
  if (!liveStatuses.has(interview.status)) {
    throw new AppError('INVALID_TRANSITION', `面试状态为 ${interview.status}，不能记录笔记。Notes cannot be taken for an interview in this state.`);
  }
}

export async function getNotes(ctx: FeatureContext, principal: Principal, interviewId: string) {
  const { interview } = await asPanelist(ctx.stores, principal, interviewId);
  const model = await ctx.stores.copilot.competencies(principal.tenantId, interview.modelId);
  const { segments, tagged } = await segmentsWithQuestions(ctx.stores, interview);
  return {
    segments: segments.map(segmentOut),
    notes: (await ctx.stores.copilot.notes(principal.tenantId, interviewId, principal.employeeId)).map(noteOut),
    questionMarks: await ctx.stores.copilot.questionMarks(principal.tenantId, interviewId),
    coverage: coverage(competencyTexts(model), tagged),
  };
}

export async function appendSegment(
  ctx: FeatureContext,
  principal: Principal,
  interviewId: string,
  input: { seq?: number | undefined; startedMs: number; endedMs: number; text: string; source: 'asr' | 'typed' },
) {
  if (input.endedMs < input.startedMs) throw invalid([{ path: 'body.endedMs', message: 'SEGMENT_ENDS_BEFORE_START: 结束时间早于开始时间 Ends before it starts' }]);
  return ctx.transact(async (stores) => {
    const { interview } = await asPanelist(stores, principal, interviewId);
    requireLive(interview);
    if (!interview.consents.transcription) {
      throw new AppError('CONSENT_REQUIRED', '候选人尚未同意转写，只能手写笔记。The candidate has not consented to transcription; typed notes only.');
    }
    const segment = await stores.copilot.appendSegment({
      tenantId: principal.tenantId, interviewId, seq: input.seq ?? null, startedMs: input.startedMs, endedMs: input.endedMs,
      text: input.text, source: input.source, now: ctx.clock.now(),
    });
    return segmentOut(segment);
  });
}

export async function correctSegment(ctx: FeatureContext, principal: Principal, interviewId: string, segmentId: string, text: string) {
  return ctx.transact(async (stores) => {
    await asPanelist(stores, principal, interviewId);
    const segment = await stores.copilot.correctSegment(principal.tenantId, interviewId, segmentId, text, principal.employeeId, ctx.clock.now());
    if (!segment) throw notFound('Transcript segment', '转写片段');
    return segmentOut(segment);
  });
}

export async function segmentHistory(ctx: FeatureContext, principal: Principal, interviewId: string, segmentId: string) {
  const { interview } = await asPanelist(ctx.stores, principal, interviewId);
  const segments = await ctx.stores.copilot.segments(principal.tenantId, interview.id);
  if (!segments.some((s) => s.id === segmentId)) throw notFound('Transcript segment', '转写片段');
  const items = await ctx.stores.copilot.corrections(principal.tenantId, segmentId);
  return { items: items.map((c) => ({ ...c, correctedAt: c.correctedAt.toISOString() })) };
}

export async function flagSegment(ctx: FeatureContext, principal: Principal, interviewId: string, segmentId: string, flags: { starred?: boolean | undefined; questionId?: string | null | undefined }) {
  return ctx.transact(async (stores) => {
    const { interview } = await asPanelist(stores, principal, interviewId);
    if (flags.questionId) await requireQuestionOf(stores, interview, flags.questionId, 'body.questionId');
    const segment = await stores.copilot.setSegmentFlags(principal.tenantId, interviewId, segmentId, {
      ...(flags.starred !== undefined && { starred: flags.starred }),
      ...(flags.questionId !== undefined && { questionId: flags.questionId }),
    });
    if (!segment) throw notFound('Transcript segment', '转写片段');
    return segmentOut(segment);
  });
}

async function requireQuestionOf(stores: Stores, interview: CopilotInterview, questionId: string, path: string) {
  const model = await stores.copilot.competencies(interview.tenantId, interview.modelId);
  if (!model.some((c) => c.questions.some((q) => q.id === questionId))) {
    throw invalid([{ path, message: 'QUESTION_NOT_IN_KIT: 不是本面试包的题目 Not a question of this interview’s kit' }]);
  }
}

export async function markQuestion(ctx: FeatureContext, principal: Principal, interviewId: string, input: { questionId: string; atMs: number }) {
  return ctx.transact(async (stores) => {
    const { interview } = await asPanelist(stores, principal, interviewId);
    requireLive(interview);
    await requireQuestionOf(stores, interview, input.questionId, 'body.questionId');
    return stores.copilot.addQuestionMark({ tenantId: principal.tenantId, interviewId, questionId: input.questionId, atMs: input.atMs, markedBy: principal.employeeId, now: ctx.clock.now() });
  });
}

/** A typed note: needs no consent, always possible for a panelist of a live interview. */
export async function addNote(ctx: FeatureContext, principal: Principal, interviewId: string, input: { text: string; atMs?: number | undefined }) {
  return ctx.transact(async (stores) => {
    const { interview } = await asPanelist(stores, principal, interviewId);
    requireLive(interview);
    const note = await stores.copilot.addNote({ tenantId: principal.tenantId, interviewId, authorId: principal.employeeId, atMs: input.atMs ?? null, text: input.text, now: ctx.clock.now() });
    return noteOut(note);
  });
}

/** Prompts for the current answer: STAR gaps with a probe, figures, follow-ups from the bank, the coverage meter. */
export async function prompts(ctx: FeatureContext, principal: Principal, interviewId: string, input: { answer: string; questionId?: string | undefined }, options: { rephrase?: boolean } = {}) {
  const { interview } = await asPanelist(ctx.stores, principal, interviewId);
  const model = competencyTexts(await ctx.stores.copilot.competencies(principal.tenantId, interview.modelId));
  const { tagged } = await segmentsWithQuestions(ctx.stores, interview);
  const result = promptsForAnswer(input.answer, model, input.questionId ?? null);
  // The rules decide what is missing; for typed prompts (never the live path) the company model may reword the probe.
  const worded = options.rephrase && ctx.probePhraser && result.star.probe
    ? await ctx.probePhraser.rephrase({ answer: input.answer, missing: result.star.missing, probe: result.star.probe })
    : undefined;
  return {
    missing: [...result.star.missing],
    present: Object.fromEntries(Object.entries(result.star.present).map(([k, v]) => [k, [...v]])),
    probe: worded?.probe ?? result.star.probe,
    ...(worded && { probeSource: worded.source }),
    quantified: result.quantified.map((q) => ({ ...q })),
    followUps: result.followUps.map((f) => ({ ...f })),
    coverage: coverage(model, tagged),
  };
}

// —— Scorecards ——————————————————————————————————————————————————————————————————————————————————

async function dueMinutes(stores: Stores, tenantId: string) {
  return (await stores.copilot.scorecardDueMinutes(tenantId)) ?? defaultScorecardDueMinutes;
}

function hasStarted(interview: CopilotInterview, now: Date) {
  return startedStatuses.has(interview.status) && Boolean(interview.startsAt && interview.startsAt <= now);
}

/** The competencies a panelist must rate: their focus ones, or all of the model when none was assigned. */
function requiredCompetencies(model: readonly ModelCompetency[], focus: readonly string[]) {
  const ids = model.map((c) => c.id);
  const own = focus.filter((id) => ids.includes(id));
  return own.length > 0 ? own : ids;
}

export async function myScorecard(ctx: FeatureContext, principal: Principal, interviewId: string) {
  const { interview, seat } = await asPanelist(ctx.stores, principal, interviewId);
  const model = await ctx.stores.copilot.competencies(principal.tenantId, interview.modelId);
  const card = await ctx.stores.copilot.scorecard(principal.tenantId, interviewId, principal.employeeId);
  const draftItems = await ctx.stores.copilot.draftItems(principal.tenantId, interviewId, principal.employeeId);
  const due = interview.endsAt ? new Date(interview.endsAt.getTime() + (await dueMinutes(ctx.stores, principal.tenantId)) * 60_000) : null;
  return {
    scorecard: card ? scorecardOut(card) : null,
    draftItems: draftItems.map(draftOut),
    requiredCompetencyIds: requiredCompetencies(model, seat.focusCompetencyIds),
    canScore: hasStarted(interview, ctx.clock.now()),
    dueAt: due?.toISOString() ?? null,
  };
}

interface ScorecardInput {
  recommendation: Recommendation | null;
  summary: string;
  ratings: readonly { competencyId: string; level: number; note: string; evidenceSegmentIds: readonly string[]; evidenceNoteIds: readonly string[] }[];
}

/**
 * Saves (draft) or submits. Before submission the card is a draft that can change freely; submitting validates it
 * (every required competency rated, evidence on each rating, a recommendation, 'no decision' only for a no-show) and
 * is once only; a change after submission is a new version, with a snapshot kept for each version.
 */
export async function saveScorecard(ctx: FeatureContext, principal: Principal, interviewId: string, input: ScorecardInput, submit: boolean, requestId: string) {
  const now = ctx.clock.now();
  return ctx.transact(async (stores) => {
    const { interview, seat } = await asPanelist(stores, principal, interviewId, true);
    if (!hasStarted(interview, now)) {
      throw new AppError('INVALID_TRANSITION', '面试开始后才能评分。Scoring opens once the interview has started.');
    }
    if (seat.role === 'shadow') throw new AppError('FORBIDDEN', '旁听面试官不提交评分卡。Shadow interviewers do not submit scorecards.');
    const model = await stores.copilot.competencies(principal.tenantId, interview.modelId);
    const existing = await stores.copilot.scorecard(principal.tenantId, interviewId, principal.employeeId, { lock: true });
    const issues = validateScorecard(input, model, seat.focusCompetencyIds, interview, submit || existing?.status === 'submitted');
    if (issues.length > 0) throw invalid(issues);
    if (submit && existing?.status === 'submitted') {
      throw new AppError('CONFLICT', '评分卡已提交过；修改请直接保存（会生成新版本）。Already submitted; save changes instead (a new version).');
    }
    const submitted = submit || existing?.status === 'submitted';
    const version = existing?.status === 'submitted' ? existing.version + 1 : (existing?.version ?? 1);
    const card = await stores.copilot.saveScorecard({
      tenantId: principal.tenantId, interviewId, interviewerId: principal.employeeId, recommendation: input.recommendation, summary: input.summary,
      ratings: input.ratings.map((r): Rating => ({ ...r })), status: submitted ? 'submitted' : 'draft', version,
      submittedAt: existing?.submittedAt ?? (submitted ? now : null), now,
    });
    if (submitted) await stores.copilot.addRevision(card.id, card.version, scorecardOut(card), now);
    if (submitted) {
      await stores.audit.append({
        tenantId: principal.tenantId, actor: actorRef(principal), action: submit ? 'scorecard.submit' : 'scorecard.revise', objectType: 'interview',
        objectId: interviewId, requestId, details: { version: card.version },
      });
    }
    return scorecardOut(card);
  });
}

function validateScorecard(input: ScorecardInput, model: readonly ModelCompetency[], focus: readonly string[], interview: CopilotInterview, complete: boolean): FieldIssue[] {
  const issues: FieldIssue[] = [];
  const ids = new Set(model.map((c) => c.id));
  const seen = new Set<string>();
  input.ratings.forEach((r, i) => {
    if (!ids.has(r.competencyId)) issues.push({ path: `body.ratings.${i}.competencyId`, message: 'COMPETENCY_NOT_IN_MODEL: 不是本面试胜任力模型的胜任力 Not a competency of this interview' });
    if (seen.has(r.competencyId)) issues.push({ path: `body.ratings.${i}.competencyId`, message: 'DUPLICATE_RATING: 同一胜任力评了两次 Rated twice' });
    seen.add(r.competencyId);
    if (r.evidenceSegmentIds.length === 0 && r.evidenceNoteIds.length === 0 && r.note.trim() === '') {
      issues.push({ path: `body.ratings.${i}`, message: 'EVIDENCE_REQUIRED: 每项评分需要证据（转写片段或笔记）Each rating needs evidence: transcript spans or a typed note' });
    }
  });
  if (input.recommendation === 'no_decision' && interview.status !== 'no_show') {
    issues.push({ path: 'body.recommendation', message: 'NO_DECISION_ONLY_FOR_NO_SHOW: 仅候选人未到场时可选"无结论" Only for a no-show' });
  }
  if (complete) {
    if (!input.recommendation) issues.push({ path: 'body.recommendation', message: 'RECOMMENDATION_REQUIRED: 请给出总体推荐 An overall recommendation is required' });
    if (input.recommendation !== 'no_decision') {
      for (const id of requiredCompetencies(model, focus)) {
        if (!seen.has(id)) issues.push({ path: 'body.ratings', message: `RATING_MISSING: 缺少胜任力「${model.find((c) => c.id === id)!.name}」的评分 Missing a rating (${id})` });
      }
    }
  }
  return issues;
}

/** Generates draft items (rule-based by default) citing segments; replaces the earlier open ones. */
export async function draftScorecard(ctx: FeatureContext, principal: Principal, interviewId: string, drafter: ScorecardDrafter = ctx.scorecardDrafter ?? ruleBasedDrafter) {
  const { interview, seat } = await asPanelist(ctx.stores, principal, interviewId);
  if (!hasStarted(interview, ctx.clock.now())) throw new AppError('INVALID_TRANSITION', '面试开始后才能生成草稿。Drafts are possible once the interview has started.');
  const model = await ctx.stores.copilot.competencies(principal.tenantId, interview.modelId);
  const wanted = new Set(requiredCompetencies(model, seat.focusCompetencyIds));
  const { tagged } = await segmentsWithQuestions(ctx.stores, interview);
  const known = new Set(tagged.map((s) => s.id));
  // A model drafter also reads the rubric levels; it reports who drafted (the rules when the model failed) and what it dropped.
  const outcome = await draftWithReport(drafter, { competencies: model.filter((c) => wanted.has(c.id)).map((c) => ({ ...competencyTexts([c])[0]!, rubric: c.rubric })), segments: tagged });
  const suggestions = outcome.suggestions
    // A suggestion must rest on segments of this interview; anything else is dropped, never shown.
    .map((s) => ({ ...s, segmentIds: s.segmentIds.filter((id) => known.has(id)) }))
    .filter((s) => wanted.has(s.competencyId) && s.segmentIds.length > 0);
  const items = await ctx.transact((stores) => stores.copilot.replaceDraftItems(principal.tenantId, interviewId, principal.employeeId, suggestions, ctx.clock.now()));
  return { items: items.map(draftOut), drafter: outcome.report };
}

/**
 * The interviewer accepts (as suggested), edits (own level / note) or dismisses one draft item. Accepting or editing
 * writes that rating into the interviewer's draft scorecard, with the item's segments as evidence; it never submits.
 */
export async function decideDraftItem(
  ctx: FeatureContext,
  principal: Principal,
  interviewId: string,
  itemId: string,
  input: { action: 'accept' | 'edit' | 'dismiss'; level?: number | undefined; note?: string | undefined },
) {
  const now = ctx.clock.now();
  if (input.action === 'edit' && input.level === undefined && input.note === undefined) {
    throw invalid([{ path: 'body.level', message: 'EDIT_NEEDS_CHANGE: 编辑需要给出等级或说明 An edit needs a level or a note' }]);
  }
  return ctx.transact(async (stores) => {
    await asPanelist(stores, principal, interviewId, true);
    const card = await stores.copilot.scorecard(principal.tenantId, interviewId, principal.employeeId, { lock: true });
    if (input.action !== 'dismiss' && card?.status === 'submitted') {
      throw new AppError('CONFLICT', '评分卡已提交，请直接修改评分卡。The scorecard is submitted; edit it directly.');
    }
    const status = input.action === 'accept' ? 'accepted' : input.action === 'edit' ? 'edited' : 'dismissed';
    const item = await stores.copilot.decideDraftItem(principal.tenantId, interviewId, principal.employeeId, itemId, status, now);
    if (!item) throw notFound('Draft item', '草稿条目');
    if (input.action !== 'dismiss') {
      const rating: Rating = {
        competencyId: item.competencyId, level: input.level ?? item.suggestedLevel, note: input.note ?? item.rationale,
        evidenceSegmentIds: item.segmentIds, evidenceNoteIds: [],
      };
      const ratings = [...(card?.ratings ?? []).filter((r) => r.competencyId !== item.competencyId), rating];
      await stores.copilot.saveScorecard({
        tenantId: principal.tenantId, interviewId, interviewerId: principal.employeeId, recommendation: card?.recommendation ?? null,
        summary: card?.summary ?? '', ratings, status: 'draft', version: card?.version ?? 1, submittedAt: null, now,
      });
    }
    return draftOut(item);
  });
}

/**
 * Scorecards of the panel for the debrief. A panelist (whatever their role) sees them only after submitting their
 * own (independent scoring); HR and hiring managers in scope who are not on the panel always. Disagreement: ratings of one competency differ by 2 or more.
 */
export async function debrief(ctx: FeatureContext, principal: Principal, interviewId: string) {
  const { interview, seat, byScope } = await asPanelOrScope(ctx.stores, principal, interviewId);
  const cards = await ctx.stores.copilot.scorecards(principal.tenantId, interviewId);
  // A shadow does not score; they see the debrief only when their role and scope would show it anyway.
  if (seat?.role === 'shadow' && !byScope) {
    throw new AppError('FORBIDDEN', '旁听面试官不能查看面评汇总。Shadow interviewers do not see the debrief.');
  }
  // Independence binds every panelist, a hiring manager or HR on the panel too; only those off the panel see it all.
  if (seat && seat.role !== 'shadow') {
    const own = cards.find((c) => c.interviewerId === seat.employeeId);
    if (own?.status !== 'submitted') {
      throw new AppError('FORBIDDEN', '提交自己的评分卡后才能查看其他面试官的评分。Submit your own scorecard to see the others’.');
    }
  }
  const submitted = cards.filter((c) => c.status === 'submitted');
  const model = await ctx.stores.copilot.competencies(principal.tenantId, interview.modelId);
  const segments = await ctx.stores.copilot.segments(principal.tenantId, interviewId);
  const cited = new Set(submitted.flatMap((c) => c.ratings.flatMap((r) => r.evidenceSegmentIds)));
  return {
    interviewId, jobTitle: interview.jobTitle, roundName: interview.roundName, candidateName: interview.candidateName,
    panel: interview.panel
      .filter((p) => p.role !== 'shadow')
      .map((p) => {
        const card = cards.find((c) => c.interviewerId === p.employeeId);
        return { interviewerId: p.employeeId, name: p.name, status: (card?.status ?? 'none') as 'none' | 'draft' | 'submitted', recommendation: card?.status === 'submitted' ? card.recommendation : null };
      }),
    competencies: model.map((c) => {
      const ratings = submitted.flatMap((card) =>
        card.ratings
          .filter((r) => r.competencyId === c.id)
          .map((r) => ({ interviewerId: card.interviewerId, name: card.interviewerName, level: r.level, note: r.note, evidenceSegmentIds: [...r.evidenceSegmentIds], evidenceNoteIds: [...r.evidenceNoteIds] })),
      );
      const levels = ratings.map((r) => r.level);
      const spread = levels.length > 0 ? Math.max(...levels) - Math.min(...levels) : 0;
      return { competencyId: c.id, name: c.name, ratings, spread, disagreement: spread >= 2 };
    }),
    evidence: segments.filter((s) => cited.has(s.id)).map((s) => ({ id: s.id, startedMs: s.startedMs, text: s.text })),
    decisions: (await ctx.stores.copilot.decisions(principal.tenantId, interview.applicationId)).map(decisionOut),
  };
}

/**
 * The debrief decision, by a named person (the signed-in HR, admin or hiring manager in scope) with a reason. A
 * rejection closes the application and queues a respectful message to the candidate through the outbox
 * (CandidateMessenger: subscription → 微信客服 → a call task for HR).
 */
export async function decide(ctx: FeatureContext, principal: Principal, interviewId: string, input: { decision: 'advance' | 'hire' | 'reject' | 'hold'; reason: string }, requestId: string) {
  requireRole(principal, hiringRoles);
  const now = ctx.clock.now();
  return ctx.transact(async (stores) => {
    const { interview, byScope } = await asPanelOrScope(stores, principal, interviewId, true);
    if (!byScope) throw interviewNotFound();
    if (!hasStarted(interview, now)) throw new AppError('INVALID_TRANSITION', '面试开始后才能做决定。A decision needs the interview to have taken place.');
    const decision = await stores.copilot.addDecision({ tenantId: principal.tenantId, applicationId: interview.applicationId, interviewId, decision: input.decision, reason: input.reason, decidedBy: principal.employeeId, now });
    if (input.decision === 'reject') {
      const stage = interview.applicationStage as 'interviewing';
      if (!applicationStage.canMove(stage, 'rejected')) {
        throw new AppError('INVALID_TRANSITION', `申请处于 ${stage}，不能再拒绝。The application is ${stage} and cannot be rejected.`);
      }
      if (!(await stores.applications.moveApplication(principal.tenantId, interview.applicationId, { from: stage, to: 'rejected', actorId: principal.employeeId, reason: input.reason, at: now }))) {
        throw new AppError('CONFLICT', '申请状态已变化，请刷新。The application changed; reload.');
      }
      await enqueueMessage(stores, {
        tenantId: principal.tenantId, channel: candidateMessageChannel, recipient: interview.candidateId,
        idempotencyKey: `debrief:${interview.applicationId}:rejected`,
        payload: {
          interviewId,
          message: {
            kind: 'text',
            // The reason is internal: the candidate gets a respectful, neutral message, never the panel's notes.
            text: `${interview.candidateName}，您好！感谢您抽出时间参加「${interview.jobTitle}」的面试。经过慎重评估，我们这次暂时无法与您继续推进。非常感谢您对我们的关注，祝您求职顺利！`,
          },
        },
      });
    }
    await stores.audit.append({
      tenantId: principal.tenantId, actor: actorRef(principal), action: `debrief.${input.decision}`, objectType: 'application', objectId: interview.applicationId,
      reason: input.reason, requestId, details: { interviewId },
    });
    return decisionOut(decision);
  });
}

/** HR: who is late with a scorecard (past the deadline and not submitted), in their scope. */
export async function lateScorecards(ctx: FeatureContext, principal: Principal) {
  requireRole(principal, hiringRoles);
  const now = ctx.clock.now();
  const rows = await ctx.stores.copilot.lateScorecards(principal.tenantId, scopeOf(principal), now, defaultScorecardDueMinutes);
  return {
    items: rows.map((r) => ({
      ...r, endsAt: r.endsAt.toISOString(), dueAt: r.dueAt.toISOString(), hoursLate: Math.round(((now.getTime() - r.dueAt.getTime()) / 3_600_000) * 10) / 10,
    })),
  };
}

export async function getScorecardPolicy(ctx: FeatureContext, principal: Principal) {
  requireRole(principal, hiringRoles);
  return { dueMinutes: await dueMinutes(ctx.stores, principal.tenantId) };
}

export async function setScorecardPolicy(ctx: FeatureContext, principal: Principal, dueMinutesValue: number, requestId: string) {
  requireRole(principal, ['admin']);
  return ctx.transact(async (stores) => {
    await stores.copilot.setScorecardDueMinutes(principal.tenantId, dueMinutesValue, ctx.clock.now());
    await stores.audit.append({ tenantId: principal.tenantId, actor: actorRef(principal), action: 'scorecard_policy.set', objectType: 'tenant', objectId: principal.tenantId, requestId, details: { dueMinutes: dueMinutesValue } });
    return { dueMinutes: dueMinutesValue };
  });
}

// —— Output shapes ———————————————————————————————————————————————————————————————————————————————

function segmentOut(s: Segment) {
  return { ...s };
}
function noteOut(n: { id: string; authorId: string; atMs: number | null; text: string; createdAt: Date }) {
  return { ...n, createdAt: n.createdAt.toISOString() };
}
function scorecardOut(c: StoredScorecard) {
  return {
    id: c.id, interviewerId: c.interviewerId, interviewerName: c.interviewerName, status: c.status, recommendation: c.recommendation, summary: c.summary,
    version: c.version, submittedAt: c.submittedAt?.toISOString() ?? null,
    ratings: c.ratings.map((r) => ({ competencyId: r.competencyId, level: r.level, note: r.note, evidenceSegmentIds: [...r.evidenceSegmentIds], evidenceNoteIds: [...r.evidenceNoteIds] })),
  };
}
function draftOut(d: { id: string; competencyId: string; suggestedLevel: number; rationale: string; segmentIds: readonly string[]; status: 'proposed' | 'accepted' | 'edited' | 'dismissed' | 'superseded' }) {
  return { id: d.id, competencyId: d.competencyId, suggestedLevel: d.suggestedLevel, rationale: d.rationale, segmentIds: [...d.segmentIds], status: d.status };
}
function decisionOut(d: { id: string; decision: 'advance' | 'hire' | 'reject' | 'hold'; reason: string; decidedBy: string; decidedByName: string; interviewId: string | null; createdAt: Date }) {
  return { ...d, createdAt: d.createdAt.toISOString() };
}
