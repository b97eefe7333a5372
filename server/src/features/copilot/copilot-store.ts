import type { Page } from '../../../contracts/common';
import type { AccessScope } from '../../domain/access-scope';

export type Recommendation = 'strong_no' | 'no' | 'yes' | 'strong_yes' | 'no_decision';

export interface PanelSeat {
  readonly employeeId: string;
  readonly name: string;
  readonly role: 'lead' | 'member' | 'shadow';
  readonly focusCompetencyIds: readonly string[];
  readonly platformUserId: string;
  readonly status: 'active' | 'disabled' | 'left';
  readonly managerId: string | null;
}

export interface CopilotInterview {
  readonly id: string;
  readonly tenantId: string;
  readonly status: string;
  readonly mode: 'onsite' | 'video' | 'phone';
  readonly location: string;
  readonly startsAt: Date | null;
  readonly endsAt: Date | null;
  readonly jobId: string;
  readonly jobTitle: string;
  readonly roundName: string;
  readonly applicationId: string;
  readonly applicationStage: string;
  readonly candidateId: string;
  readonly candidateName: string;
  readonly modelId: string;
  readonly timeZone: string;
  readonly panel: readonly PanelSeat[];
  readonly consents: { readonly recording: boolean; readonly transcription: boolean };
}

export interface ModelCompetency {
  readonly id: string;
  readonly position: number;
  readonly name: string;
  readonly description: string;
  readonly weight: number;
  readonly rubric: readonly { readonly level: number; readonly label: string; readonly description: string }[];
  readonly questions: readonly { readonly id: string; readonly text: string; readonly followUps: readonly string[] }[];
}

export interface Segment {
  readonly id: string;
  readonly seq: number;
  readonly startedMs: number;
  readonly endedMs: number;
  /** The current text: the latest correction, or what was recognised/typed. */
  readonly text: string;
  readonly originalText: string;
  readonly version: number;
  readonly source: 'asr' | 'typed';
  readonly speaker: 'unknown' | 'interviewer' | 'candidate';
  readonly starred: boolean;
  readonly questionId: string | null;
}

export interface Correction {
  readonly version: number;
  readonly previousText: string;
  readonly newText: string;
  readonly correctedBy: string;
  readonly correctedAt: Date;
}

export interface Note {
  readonly id: string;
  readonly authorId: string;
  readonly atMs: number | null;
  readonly text: string;
  readonly createdAt: Date;
}

export interface QuestionMark {
  readonly id: string;
  readonly questionId: string;
  readonly atMs: number;
  readonly markedBy: string;
}

export interface Rating {
  readonly competencyId: string;
  readonly level: number;
  readonly note: string;
  readonly evidenceSegmentIds: readonly string[];
  readonly evidenceNoteIds: readonly string[];
}

export interface StoredScorecard {
  readonly id: string;
  readonly interviewerId: string;
  readonly interviewerName: string;
  readonly status: 'draft' | 'submitted';
  readonly recommendation: Recommendation | null;
  readonly summary: string;
  readonly version: number;
  readonly submittedAt: Date | null;
  readonly updatedAt: Date;
  readonly ratings: readonly Rating[];
}

export interface DraftItem {
  readonly id: string;
  readonly competencyId: string;
  readonly suggestedLevel: number;
  readonly rationale: string;
  readonly segmentIds: readonly string[];
  readonly status: 'proposed' | 'accepted' | 'edited' | 'dismissed' | 'superseded';
  readonly createdAt: Date;
}

export interface LateScorecard {
  readonly interviewId: string;
  readonly interviewerId: string;
  readonly interviewerName: string;
  readonly jobTitle: string;
  readonly roundName: string;
  readonly candidateName: string;
  readonly endsAt: Date;
  readonly dueAt: Date;
  readonly status: 'missing' | 'draft';
  readonly nudgesSent: number;
  readonly escalated: boolean;
}

/** A scorecard the interviewer still owes (own non-shadow seat, interview ended, not submitted). */
export interface PendingScorecard {
  readonly interviewId: string;
  readonly interviewStatus: string;
  readonly jobTitle: string;
  readonly roundName: string;
  readonly candidateName: string;
  readonly role: 'lead' | 'member';
  readonly status: 'none' | 'draft';
  readonly startsAt: Date | null;
  readonly endsAt: Date;
  readonly dueAt: Date;
  readonly nudgesSent: number;
}

export interface Decision {
  readonly id: string;
  readonly decision: 'advance' | 'hire' | 'reject' | 'hold';
  readonly reason: string;
  readonly decidedBy: string;
  readonly decidedByName: string;
  readonly interviewId: string | null;
  readonly createdAt: Date;
}

export interface ClaimedFollowup {
  readonly tenantId: string;
  readonly interviewId: string;
  readonly interviewerId: string;
  readonly dueAt: Date;
  readonly nextAt: Date;
  readonly escalateAt: Date;
  readonly escalatedAt: Date | null;
  readonly nudgesSent: number;
  readonly attempts: number;
}

/** The copilot's reads and writes; every method runs in the caller's transaction when given its stores. */
export interface CopilotStore {
  /** The interview with its panel, or undefined for an unknown id or another tenant's. */
  interview(tenantId: string, interviewId: string, options?: { lock?: boolean }): Promise<CopilotInterview | undefined>;
  /** Interviews the employee sits on that start in [from, to), earliest first. */
  interviewsOf(tenantId: string, employeeId: string, from: Date, to: Date): Promise<CopilotInterview[]>;
  tenantTimeZone(tenantId: string): Promise<string | undefined>;
  employee(tenantId: string, employeeId: string): Promise<{ id: string; name: string; platformUserId: string; status: string } | undefined>;
  competencies(tenantId: string, modelId: string): Promise<ModelCompetency[]>;
  /** The candidate's résumé in clear (decrypted), for keyword highlights only; '' without one. */
  resumeText(tenantId: string, candidateId: string): Promise<string>;

  segments(tenantId: string, interviewId: string): Promise<Segment[]>;
  /** Appends a segment (seq: the next one unless given). Refused without transcription consent (CONSENT_REQUIRED). */
  appendSegment(input: {
    tenantId: string; interviewId: string; seq: number | null; startedMs: number; endedMs: number; text: string;
    source: 'asr' | 'typed'; now: Date;
  }): Promise<Segment>;
  /** A new version of the segment's text; the old one stays in the history. Undefined for an unknown segment. */
  correctSegment(tenantId: string, interviewId: string, segmentId: string, text: string, by: string, now: Date): Promise<Segment | undefined>;
  corrections(tenantId: string, segmentId: string): Promise<Correction[]>;
  setSegmentFlags(tenantId: string, interviewId: string, segmentId: string, flags: { starred?: boolean; questionId?: string | null }): Promise<Segment | undefined>;
  addQuestionMark(input: { tenantId: string; interviewId: string; questionId: string; atMs: number; markedBy: string; now: Date }): Promise<QuestionMark>;
  questionMarks(tenantId: string, interviewId: string): Promise<QuestionMark[]>;
  addNote(input: { tenantId: string; interviewId: string; authorId: string; atMs: number | null; text: string; now: Date }): Promise<Note>;
  notes(tenantId: string, interviewId: string, authorId: string): Promise<Note[]>;

  scorecard(tenantId: string, interviewId: string, interviewerId: string, options?: { lock?: boolean }): Promise<StoredScorecard | undefined>;
  scorecards(tenantId: string, interviewId: string): Promise<StoredScorecard[]>;
  /** Writes the scorecard (created as a draft when missing) and replaces its ratings. */
  saveScorecard(input: {
    tenantId: string; interviewId: string; interviewerId: string; recommendation: Recommendation | null; summary: string;
    ratings: readonly Rating[]; status: 'draft' | 'submitted'; version: number; submittedAt: Date | null; now: Date;
  }): Promise<StoredScorecard>;
  addRevision(scorecardId: string, version: number, snapshot: unknown, now: Date): Promise<void>;
  revisions(tenantId: string, scorecardId: string): Promise<{ version: number; createdAt: Date; snapshot: unknown }[]>;

  /** Replaces the open draft items of this interviewer with new ones. */
  replaceDraftItems(tenantId: string, interviewId: string, interviewerId: string, items: readonly { competencyId: string; suggestedLevel: number; rationale: string; segmentIds: readonly string[] }[], now: Date): Promise<DraftItem[]>;
  draftItems(tenantId: string, interviewId: string, interviewerId: string): Promise<DraftItem[]>;
  decideDraftItem(tenantId: string, interviewId: string, interviewerId: string, itemId: string, status: 'accepted' | 'edited' | 'dismissed', now: Date): Promise<DraftItem | undefined>;

  /** Minutes after the end a scorecard is due (the tenant's, else the default). */
  scorecardDueMinutes(tenantId: string): Promise<number | undefined>;
  setScorecardDueMinutes(tenantId: string, minutes: number, now: Date): Promise<void>;
  /** Panelists whose scorecard is not submitted and is past due, for interviews visible in the scope. */
  lateScorecards(tenantId: string, scope: AccessScope, now: Date, defaultDueMinutes: number): Promise<LateScorecard[]>;

  /**
   * The employee's own non-shadow seats on interviews that ended by `now` (status scheduled … completed: not cancelled,
   * declined or a no-show) without a submitted scorecard; the most overdue (earliest due) first, keyset-paged on
   * (end, interview id) with an opaque cursor.
   */
  pendingScorecardsOf(
    tenantId: string, employeeId: string, now: Date, defaultDueMinutes: number, page: { limit: number; cursor?: string | undefined },
  ): Promise<Page<PendingScorecard>>;
  addDecision(input: { tenantId: string; applicationId: string; interviewId: string; decision: Decision['decision']; reason: string; decidedBy: string; now: Date }): Promise<Decision>;
  decisions(tenantId: string, applicationId: string): Promise<Decision[]>;

  /** Panelists of interviews that ended (not cancelled, declined or unscheduled) without a follow-up row yet. */
  unplannedFollowups(now: Date, limit: number): Promise<{ tenantId: string; interviewId: string; interviewerId: string; endsAt: Date; timeZone: string; dueMinutes: number | null }[]>;
  /** Queues one follow-up (nothing when it exists already). */
  insertFollowup(input: { tenantId: string; interviewId: string; interviewerId: string; dueAt: Date; nextAt: Date; escalateAt: Date; now: Date }): Promise<void>;
  claimFollowups(limit: number, now: Date, leaseUntil: Date): Promise<ClaimedFollowup[]>;
  /** Back to pending with the next time, or done with the reason. */
  finishFollowup(interviewId: string, interviewerId: string, outcome: { done: string } | { nextAt: Date; nudged: boolean; escalated: boolean }, now: Date): Promise<void>;
  releaseFollowup(interviewId: string, interviewerId: string, now: Date): Promise<void>;
  recordNudge(input: { tenantId: string; interviewId: string; interviewerId: string; kind: 'nudge' | 'escalation'; recipientId: string; outboxKey: string; now: Date }): Promise<void>;
  nextFollowupAt(): Promise<Date | undefined>;
}
