import { maskEmail, maskIdNumber, maskPhone } from '../masking';
import { competencyTerms, matchTerms, type CompetencyText } from './prompts';

/** Contact data inside free text (a résumé line) masked the way the rest of HireBridge shows it. */
export function maskContactsInText(text: string): string {
  return text
    .replace(/[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/g, (m) => maskEmail(m))
    .replace(/(?<![0-9Xx])[1-9]\d{5}(?:19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}[0-9Xx](?![0-9Xx])/g, (m) => maskIdNumber(m))
    .replace(/(?<!\d)(?:\+?86[- ]?)?1[3-9]\d[- ]?\d{4}[- ]?\d{4}(?!\d)/g, (m) => maskPhone(m.replace(/[- ]/g, '')));
}

export interface ResumeHighlight {
  readonly competencyId: string;
  readonly competency: string;
  /** The résumé line, contact data masked, at most 200 characters. */
  readonly excerpt: string;
  /** Why it matched: the competency/question terms the line contains. */
  readonly matchedTerms: readonly string[];
}

/**
 * Résumé lines that mention a competency's terms (from its name, description and questions), at most three per
 * competency, best first. Plain keyword matching, so the reason is always visible; nothing is inferred about the
 * person.
 */
export function resumeHighlights(resume: string, competencies: readonly CompetencyText[]): ResumeHighlight[] {
  const lines = resume
    .split(/[\n\r。；;！!？?]+/)
    .map((l) => l.trim())
    .filter((l) => l.length >= 4);
  const out: ResumeHighlight[] = [];
  for (const c of competencies) {
    const terms = competencyTerms(c);
    const scored = lines
      .map((line) => ({ line, hits: matchTerms(line, terms) }))
      .filter((x) => x.hits.length > 0)
      .sort((a, b) => b.hits.length - a.hits.length)
      .slice(0, 3);
    for (const { line, hits } of scored) {
      out.push({ competencyId: c.id, competency: c.name, excerpt: maskContactsInText(line).slice(0, 200), matchedTerms: hits.slice(0, 6) });
    }
  }
  return out;
}
