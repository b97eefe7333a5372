import { draftLevel, evidenceFor, type CompetencyText, type StarPart } from '../../domain/copilot/prompts';

export interface DraftSuggestion {
  readonly competencyId: string;
  readonly suggestedLevel: 1 | 2 | 3 | 4;
  readonly rationale: string;
  /** The transcript segments the suggestion rests on; a suggestion without any is not made. */
  readonly segmentIds: readonly string[];
}

/**
 * Drafts scorecard items from the transcript. The default is rule-based (below); a company may plug in its own
 * OpenAI-compatible model endpoint (an on-prem Qwen or DeepSeek) behind this port. Whatever drafts, the result only
 * suggests: each item is accepted, edited or dismissed by the interviewer and never submitted by itself, and a
 * suggestion must cite segments that exist in this interview (checked by the caller).
 */
export interface ScorecardDrafter {
  readonly name: 'rules' | 'model';
  draft(input: DraftInput): Promise<DraftSuggestion[]>;
  /** Optional: the suggestions with who actually drafted them (a model drafter falls back to the rules) and what was dropped. */
  draftWithReport?(input: DraftInput): Promise<DraftOutcome>;
}

/** A competency as a drafter sees it: the rule-based drafter needs the texts, a model also reads the rubric levels. */
export type DrafterCompetency = CompetencyText & {
  readonly rubric?: readonly { readonly level: number; readonly label: string; readonly description: string }[];
};

export interface DraftInput {
  competencies: readonly DrafterCompetency[];
  segments: readonly { id: string; text: string; questionId: string | null }[];
}

/** Who drafted the items shown and why, for the interviewer and the logs. */
export interface DraftReport {
  readonly name: 'rules' | 'model';
  /** Set when a model is configured but the rules drafted: timeout, http_401, http_429, invalid_json, invalid_answer, network… */
  readonly fallbackReason?: string;
  /** Items the model proposed that were dropped before anyone saw them. */
  readonly dropped?: {
    readonly unknownSegment: number;
    readonly unknownCompetency: number;
    readonly noCitation: number;
    readonly forbiddenInference: number;
    readonly malformed: number;
  };
}

export interface DraftOutcome {
  readonly suggestions: DraftSuggestion[];
  readonly report: DraftReport;
}

/** Runs any drafter and says who drafted (a drafter without `draftWithReport` drafts under its own name). */
export async function draftWithReport(drafter: ScorecardDrafter, input: DraftInput): Promise<DraftOutcome> {
  if (drafter.draftWithReport) return drafter.draftWithReport(input);
  return { suggestions: await drafter.draft(input), report: { name: drafter.name } };
}

/** Evidence per competency (marked question or matching terms) → a level from STAR completeness and figures. */
export const ruleBasedDrafter: ScorecardDrafter = {
  name: 'rules',
  async draft({ competencies, segments }) {
    const out: DraftSuggestion[] = [];
    for (const c of competencies) {
      const evidence = evidenceFor(c, segments);
      if (evidence.length === 0) continue;
      const ids = evidence.map((e) => e.segmentId).slice(0, 10);
      const texts = ids.map((id) => segments.find((s) => s.id === id)!.text);
      const { level, rationale } = draftLevel(texts);
      out.push({ competencyId: c.id, suggestedLevel: level, rationale: `${rationale}（依据 ${ids.length} 段记录 Based on ${ids.length} segment(s)）`, segmentIds: ids });
    }
    return out;
  },
};

/**
 * Rewords the rule-based STAR probe for the current answer (typed prompts only, never the live path). The rules decide
 * WHAT is missing; a phraser may only say it more naturally, and answers the rule text whenever it cannot.
 */
export interface ProbePhraser {
  rephrase(input: { answer: string; missing: readonly StarPart[]; probe: string }): Promise<{ probe: string; source: 'rules' | 'model'; fallbackReason?: string }>;
}
