import { draftLevel, evidenceFor, type CompetencyText } from '../../domain/copilot/prompts';

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
  draft(input: {
    competencies: readonly CompetencyText[];
    segments: readonly { id: string; text: string; questionId: string | null }[];
  }): Promise<DraftSuggestion[]>;
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
