import { z } from 'zod';
import { Id, PageQuery, Text, Timestamp, page } from './common';

/** Interviewer copilot: the kit, live notes, prompts, scorecards, nudges and the debrief. */

export const CopilotInterviewParams = z.object({ interviewId: Id });
export const SegmentParams = z.object({ interviewId: Id, segmentId: Id });
export const DraftItemParams = z.object({ interviewId: Id, itemId: Id });

export const Recommendation = z.enum(['strong_no', 'no', 'yes', 'strong_yes', 'no_decision'])
  .describe('强烈不推荐 / 不推荐 / 推荐 / 强烈推荐；no_decision 仅用于候选人未到场 (no-show only)');

export const MyInterviewsQuery = z.object({ days: z.coerce.number().int().min(1).max(31).default(7) });
export const MyInterview = z.object({
  id: Id,
  status: z.string(),
  startsAt: Timestamp.nullable(),
  endsAt: Timestamp.nullable(),
  today: z.boolean(),
  jobTitle: z.string(),
  roundName: z.string(),
  candidateName: z.string(),
  mode: z.enum(['onsite', 'video', 'phone']),
  location: z.string(),
  myRole: z.enum(['lead', 'member', 'shadow']),
  scorecardStatus: z.enum(['none', 'draft', 'submitted']),
});
export const MyInterviewList = z.object({ items: z.array(MyInterview) });

/** Scorecards the signed-in interviewer still owes: own panel seats (not shadows), ended, not cancelled or a no-show, not submitted. */
export const PendingScorecardsQuery = PageQuery;
export const PendingScorecard = z
  .object({
    interviewId: Id,
    interviewStatus: z.string(),
    jobTitle: z.string(),
    roundName: z.string(),
    candidateName: z.string().describe('姓名（无联系方式）Name only, no contact data'),
    myRole: z.enum(['lead', 'member']),
    scorecardStatus: z.enum(['none', 'draft']),
    startsAt: Timestamp.nullable(),
    endsAt: Timestamp,
    dueAt: Timestamp.describe('结束后按评分卡期限（默认 24 小时）The end plus the scorecard deadline (24 h unless the tenant set one)'),
    overdue: z.boolean().describe('当前时间已过 dueAt Now is past dueAt'),
    nudgesSent: z.number().int().describe('已发送的催办提醒 Reminders sent so far'),
  })
  .meta({ id: 'PendingScorecard' });
export const PendingScorecards = page(PendingScorecard).meta({ id: 'PendingScorecards' });

export const KitCompetency = z.object({
  id: Id,
  name: z.string(),
  description: z.string(),
  weight: z.number().int(),
  focus: z.boolean().describe('本面试官负责考察 This interviewer’s focus'),
  rubric: z.array(z.object({ level: z.number().int().min(1).max(4), label: z.string(), description: z.string() })),
  questions: z.array(z.object({ id: Id, text: z.string(), followUps: z.array(z.string()) })),
});
export const Kit = z
  .object({
    interviewId: Id,
    status: z.string(),
    startsAt: Timestamp.nullable(),
    endsAt: Timestamp.nullable(),
    jobTitle: z.string(),
    roundName: z.string(),
    candidateName: z.string(),
    focusCompetencyIds: z.array(Id),
    notesMode: z.enum(['live', 'typed_only']),
    notesModeReason: z.string().nullable(),
    competencies: z.array(KitCompetency),
  })
  .meta({ id: 'InterviewKit' });

export const CandidateBrief = z
  .object({
    interviewId: Id,
    candidateName: z.string(),
    jobTitle: z.string(),
    roundName: z.string(),
    highlights: z.array(z.object({ competencyId: Id, competency: z.string(), excerpt: z.string(), matchedTerms: z.array(z.string()) })),
    note: z.string(),
  })
  .meta({ id: 'CandidateBrief' });

export const TranscriptSegment = z
  .object({
    id: Id,
    seq: z.number().int(),
    startedMs: z.number().int(),
    endedMs: z.number().int(),
    text: z.string(),
    originalText: z.string(),
    version: z.number().int(),
    source: z.enum(['asr', 'typed']),
    speaker: z.enum(['unknown', 'interviewer', 'candidate']),
    starred: z.boolean(),
    questionId: Id.nullable(),
  })
  .meta({ id: 'TranscriptSegment' });
export const AppendSegment = z
  .object({
    seq: z.number().int().min(0).max(1_000_000).optional(),
    startedMs: z.number().int().min(0).max(86_400_000),
    endedMs: z.number().int().min(0).max(86_400_000),
    text: Text(2000),
    source: z.enum(['asr', 'typed']).default('asr'),
  })
  .strict();
export const CorrectSegment = z.object({ text: Text(2000) }).strict();
export const SegmentFlags = z.object({ starred: z.boolean().optional(), questionId: Id.nullable().optional() }).strict();
export const SegmentCorrection = z.object({ version: z.number().int(), previousText: z.string(), newText: z.string(), correctedBy: Id, correctedAt: Timestamp });
export const SegmentCorrections = z.object({ items: z.array(SegmentCorrection) });
export const AddQuestionMark = z.object({ questionId: Id, atMs: z.number().int().min(0).max(86_400_000) }).strict();
export const QuestionMark = z.object({ id: Id, questionId: Id, atMs: z.number().int(), markedBy: Id });
export const AddNote = z.object({ text: Text(4000), atMs: z.number().int().min(0).max(86_400_000).optional() }).strict();
export const InterviewNote = z.object({ id: Id, authorId: Id, atMs: z.number().int().nullable(), text: z.string(), createdAt: Timestamp });

export const Coverage = z.array(z.object({ competencyId: Id, name: z.string(), evidenceCount: z.number().int(), covered: z.boolean() }));
export const InterviewNotes = z
  .object({
    segments: z.array(TranscriptSegment),
    notes: z.array(InterviewNote),
    questionMarks: z.array(QuestionMark),
    coverage: Coverage,
  })
  .meta({ id: 'InterviewNotes' });

export const PromptRequest = z.object({ answer: Text(4000), questionId: Id.optional() }).strict();
export const Prompts = z
  .object({
    missing: z.array(z.enum(['situation', 'task', 'action', 'result'])),
    present: z.record(z.string(), z.array(z.string())),
    probe: z.string().nullable(),
    /** Who worded the probe: the rules, or the company model rewording the rule's question (typed prompts only). */
    probeSource: z.enum(['rules', 'model']).optional(),
    quantified: z.array(z.object({ text: z.string(), kind: z.enum(['percent', 'multiple', 'amount', 'number']) })),
    followUps: z.array(z.object({ questionId: Id, text: z.string() })),
    coverage: Coverage,
  })
  .meta({ id: 'InterviewPrompts' });

export const RatingInput = z
  .object({
    competencyId: Id,
    level: z.number().int().min(1).max(4),
    note: z.string().trim().max(2000).default(''),
    evidenceSegmentIds: z.array(Id).max(50).default([]),
    evidenceNoteIds: z.array(Id).max(50).default([]),
  })
  .strict();
export const SaveScorecard = z
  .object({
    recommendation: Recommendation.nullable().default(null),
    summary: z.string().trim().max(4000).default(''),
    ratings: z.array(RatingInput).max(30),
  })
  .strict();
export const ScorecardDetail = z
  .object({
    id: Id,
    interviewerId: Id,
    interviewerName: z.string(),
    status: z.enum(['draft', 'submitted']),
    recommendation: Recommendation.nullable(),
    summary: z.string(),
    version: z.number().int(),
    submittedAt: Timestamp.nullable(),
    ratings: z.array(RatingInput.extend({ note: z.string(), evidenceSegmentIds: z.array(Id), evidenceNoteIds: z.array(Id) })),
  })
  .meta({ id: 'ScorecardDetail' });
export const DraftItem = z.object({
  id: Id,
  competencyId: Id,
  suggestedLevel: z.number().int(),
  rationale: z.string(),
  segmentIds: z.array(Id),
  status: z.enum(['proposed', 'accepted', 'edited', 'dismissed', 'superseded']),
});
export const MyScorecard = z
  .object({
    scorecard: ScorecardDetail.nullable(),
    draftItems: z.array(DraftItem),
    requiredCompetencyIds: z.array(Id),
    canScore: z.boolean(),
    dueAt: Timestamp.nullable(),
  })
  .meta({ id: 'MyScorecard' });
export const DraftItems = z.object({
  items: z.array(DraftItem),
  /** Who drafted: the company's model, or the rules (with fallbackReason when the model failed); items the model proposed but were dropped. */
  drafter: z
    .object({
      name: z.enum(['rules', 'model']),
      fallbackReason: z.string().optional(),
      dropped: z.object({ unknownSegment: z.number().int(), unknownCompetency: z.number().int(), noCitation: z.number().int(), forbiddenInference: z.number().int(), malformed: z.number().int() }).optional(),
    })
    .optional(),
});
export const DecideDraftItem = z
  .object({
    action: z.enum(['accept', 'edit', 'dismiss']),
    level: z.number().int().min(1).max(4).optional(),
    note: z.string().trim().max(2000).optional(),
  })
  .strict();

export const LateScorecard = z.object({
  interviewId: Id,
  interviewerId: Id,
  interviewerName: z.string(),
  jobTitle: z.string(),
  roundName: z.string(),
  candidateName: z.string(),
  endsAt: Timestamp,
  dueAt: Timestamp,
  hoursLate: z.number(),
  status: z.enum(['missing', 'draft']),
  nudgesSent: z.number().int(),
  escalated: z.boolean(),
});
export const LateScorecards = z.object({ items: z.array(LateScorecard) });
export const ScorecardPolicy = z.object({ dueMinutes: z.number().int().min(60).max(10080) }).strict();

export const DebriefDecisionInput = z.object({ decision: z.enum(['advance', 'hire', 'reject', 'hold']), reason: Text(2000).min(2) }).strict();
export const DebriefDecision = z.object({
  id: Id,
  decision: z.enum(['advance', 'hire', 'reject', 'hold']),
  reason: z.string(),
  decidedBy: Id,
  decidedByName: z.string(),
  interviewId: Id.nullable(),
  createdAt: Timestamp,
});
export const Debrief = z
  .object({
    interviewId: Id,
    jobTitle: z.string(),
    roundName: z.string(),
    candidateName: z.string(),
    panel: z.array(z.object({ interviewerId: Id, name: z.string(), status: z.enum(['none', 'draft', 'submitted']), recommendation: Recommendation.nullable() })),
    competencies: z.array(
      z.object({
        competencyId: Id,
        name: z.string(),
        ratings: z.array(z.object({ interviewerId: Id, name: z.string(), level: z.number().int(), note: z.string(), evidenceSegmentIds: z.array(Id), evidenceNoteIds: z.array(Id) })),
        spread: z.number().int(),
        disagreement: z.boolean().describe('评分相差 2 级及以上 Ratings differ by 2 or more levels'),
      }),
    ),
    evidence: z.array(z.object({ id: Id, startedMs: z.number().int(), text: z.string() })),
    decisions: z.array(DebriefDecision),
  })
  .meta({ id: 'Debrief' });
