/**
 * Rule-based interview prompts, explainable by construction: every hint names the cue words it found (or did not
 * find). They look only at what was said about the work — never at emotion, personality, accent, appearance or
 * "culture fit", and the candidate never sees them.
 */

export type StarPart = 'situation' | 'task' | 'action' | 'result';
export const starParts: readonly StarPart[] = ['situation', 'task', 'action', 'result'];

export const starLabels: Record<StarPart, string> = {
  situation: '情境 Situation',
  task: '任务 Task',
  action: '行动 Action',
  result: '结果 Result',
};

/** Chinese (and a few English) cue words for each part of a STAR answer. */
const starCues: Record<StarPart, readonly string[]> = {
  situation: ['当时', '那时', '背景', '情况', '项目', '公司', '团队', '之前', '有一次', '上家', '场景', '遇到'],
  task: ['负责', '任务', '目标', '需要', '要求', '职责', '挑战', '问题是', '要解决', '指标', 'KPI', 'deadline'],
  action: ['我做', '我先', '我们先', '然后', '采取', '设计', '推动', '协调', '实现', '开发', '分析', '优化', '决定', '组织', '沟通', '重构', '排查'],
  result: ['结果', '最终', '最后', '效果', '提升', '降低', '减少', '增加', '上线', '完成', '达成', '节省', '增长', '获得', '成功'],
};

/** The probe to ask when a part is missing. */
export const starProbes: Record<StarPart, string> = {
  situation: '当时是什么背景？能具体说说是哪个项目吗？',
  task: '您在其中具体负责什么？目标是什么？',
  action: '您本人具体做了哪些事？为什么这样做？',
  result: '结果如何？能用数据说明吗？',
};

export interface StarAnalysis {
  readonly present: Partial<Record<StarPart, readonly string[]>>;
  readonly missing: readonly StarPart[];
  /** For the first missing part (result first, since it is the most often missing), or null when complete. */
  readonly probe: string | null;
}

function cuesIn(text: string, cues: readonly string[]): string[] {
  const lower = text.toLowerCase();
  return cues.filter((cue) => lower.includes(cue.toLowerCase()));
}

/** Which parts of situation / task / action / result the answer covers, by cue words. */
export function analyseStar(answer: string): StarAnalysis {
  const present: Partial<Record<StarPart, string[]>> = {};
  const missing: StarPart[] = [];
  const quantified = detectQuantifiedResults(answer);
  for (const part of starParts) {
    const found = cuesIn(answer, starCues[part]);
    // A quantified figure counts as a result even without a cue word ("延迟从 200ms 降到 50ms").
    if (part === 'result' && found.length === 0 && quantified.length > 0) found.push(quantified[0]!.text);
    if (found.length > 0) present[part] = found;
    else missing.push(part);
  }
  const order: StarPart[] = ['result', 'action', 'task', 'situation'];
  const first = order.find((p) => missing.includes(p));
  return { present, missing, probe: first ? starProbes[first] : null };
}

export interface QuantifiedResult {
  readonly text: string;
  readonly kind: 'percent' | 'multiple' | 'amount' | 'number';
}

const quantityPattern =
  /(?:\d+(?:\.\d+)?\s*(?:%|％|个百分点))|(?:百分之[零一二三四五六七八九十百\d]+)|(?:\d+(?:\.\d+)?\s*倍)|(?:[一二两三四五六七八九十百]+倍)|(?:\d+(?:\.\d+)?\s*(?:万|千|百万|千万|亿|k|K|w|W)(?:元|人|用户|次|单|条|行)?)|(?:[一二两三四五六七八九十百]+(?:万|千|百万|千万|亿))|(?:\d+(?:\.\d+)?\s*(?:ms|毫秒|秒|分钟|小时|天|周|个月|元|人|个|次|台|QPS|qps|TPS))|(?:\d{2,})/g;

/** Figures in the answer: percentages, multiples, amounts with 万/千/亿, numbers with units. */
export function detectQuantifiedResults(answer: string): QuantifiedResult[] {
  const found: QuantifiedResult[] = [];
  for (const match of answer.matchAll(quantityPattern)) {
    const text = match[0].trim();
    const kind: QuantifiedResult['kind'] = /%|％|百分/.test(text)
      ? 'percent'
      : /倍/.test(text)
        ? 'multiple'
        : /万|千|亿|[kKwW]$/.test(text)
          ? 'amount'
          : 'number';
    found.push({ text, kind });
  }
  return found;
}

/** Terms of a competency or question text worth matching: Chinese runs split into bigrams, Latin words whole. */
export function keyTerms(text: string): string[] {
  const stop = new Set(['一个', '一下', '什么', '如何', '怎么', '我们', '你们', '您的', '是否', '能够', '例子', '讲讲', '说说', '具体', '时候', '经历', '的时', '一次', '请讲']);
  const terms = new Set<string>();
  for (const run of text.match(/[\u4e00-\u9fff]+/g) ?? []) {
    for (let i = 0; i + 2 <= run.length; i++) {
      const gram = run.slice(i, i + 2);
      if (!stop.has(gram) && !/[的了是在和与及或吗呢吧么]/.test(gram)) terms.add(gram);
    }
  }
  for (const word of text.match(/[A-Za-z][A-Za-z0-9+#.]{1,}/g) ?? []) terms.add(word.toLowerCase());
  return [...terms];
}

export interface CompetencyText {
  readonly id: string;
  readonly name: string;
  readonly description: string;
  readonly questions: readonly { readonly id: string; readonly text: string; readonly followUps: readonly string[] }[];
}

/** The terms of a competency: its name, description and question texts. */
export function competencyTerms(competency: CompetencyText): string[] {
  return keyTerms([competency.name, competency.description, ...competency.questions.map((q) => q.text)].join(' '));
}

/** Which of the competency's terms the text mentions (the explanation of a match). */
export function matchTerms(text: string, terms: readonly string[]): string[] {
  const lower = text.toLowerCase();
  return terms.filter((t) => lower.includes(t));
}

export interface CoverageItem {
  readonly competencyId: string;
  readonly name: string;
  readonly evidenceCount: number;
  readonly covered: boolean;
}

/**
 * The coverage meter: a competency has evidence when a segment was said while one of its questions was marked, or
 * when the segment mentions its terms (at least two distinct ones).
 */
export function coverage(
  competencies: readonly CompetencyText[],
  segments: readonly { readonly id: string; readonly text: string; readonly questionId: string | null }[],
): CoverageItem[] {
  return competencies.map((c) => {
    const evidence = evidenceFor(c, segments);
    return { competencyId: c.id, name: c.name, evidenceCount: evidence.length, covered: evidence.length > 0 };
  });
}

/** The segments that are evidence for a competency, with why. */
export function evidenceFor(
  competency: CompetencyText,
  segments: readonly { readonly id: string; readonly text: string; readonly questionId: string | null }[],
): { segmentId: string; why: string }[] {
  const questionIds = new Set(competency.questions.map((q) => q.id));
  const terms = competencyTerms(competency);
  const out: { segmentId: string; why: string }[] = [];
  for (const s of segments) {
    if (s.questionId && questionIds.has(s.questionId)) {
      out.push({ segmentId: s.id, why: '回答本胜任力的问题时所说 Said while a question of this competency was marked' });
      continue;
    }
    const hits = matchTerms(s.text, terms);
    if (hits.length >= 2) out.push({ segmentId: s.id, why: `提到：${hits.slice(0, 4).join('、')} Mentions these terms` });
  }
  return out;
}

export interface AnswerPrompts {
  readonly star: StarAnalysis;
  readonly quantified: readonly QuantifiedResult[];
  /** The follow-ups of the current question from the bank, or of the competency best matching the answer. */
  readonly followUps: readonly { readonly questionId: string; readonly text: string }[];
}

/** Prompts for the current answer. */
export function promptsForAnswer(answer: string, competencies: readonly CompetencyText[], currentQuestionId: string | null): AnswerPrompts {
  const star = analyseStar(answer);
  const quantified = detectQuantifiedResults(answer);
  let questions = competencies.flatMap((c) => c.questions).filter((q) => q.id === currentQuestionId);
  if (questions.length === 0) {
    let best: { score: number; c: CompetencyText } | undefined;
    for (const c of competencies) {
      const score = matchTerms(answer, competencyTerms(c)).length;
      if (score > 0 && (!best || score > best.score)) best = { score, c };
    }
    questions = best ? [...best.c.questions] : [];
  }
  const followUps = questions.flatMap((q) => q.followUps.map((text) => ({ questionId: q.id, text }))).slice(0, 5);
  return { star, quantified, followUps };
}

/**
 * A rule-based draft level for a competency from its evidence: more complete STAR stories and quantified results
 * suggest a higher level. Only a suggestion: the interviewer accepts or edits it, and it is never submitted by itself.
 */
export function draftLevel(evidenceTexts: readonly string[]): { level: 1 | 2 | 3 | 4; rationale: string } {
  const joined = evidenceTexts.join('\n');
  const star = analyseStar(joined);
  const parts = 4 - star.missing.length;
  const figures = detectQuantifiedResults(joined).length;
  const level = (parts >= 4 && figures > 0 ? 4 : parts >= 3 ? 3 : parts >= 2 ? 2 : 1) as 1 | 2 | 3 | 4;
  const covered = starParts.filter((p) => !star.missing.includes(p)).map((p) => starLabels[p].split(' ')[0]);
  const rationale = `证据覆盖 STAR：${covered.join('、') || '无'}；量化结果 ${figures} 处。Evidence covers ${parts}/4 STAR parts with ${figures} figure(s).`;
  return { level, rationale };
}
