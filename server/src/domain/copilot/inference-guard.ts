/**
 * The copilot never infers emotion, personality, accent, appearance or "culture fit" (issue 6). Text a model writes
 * is checked against this list before an interviewer sees it; a match drops the item. Deliberately broad: a rationale
 * that merely mentions one of these words is refused too, which costs little (the rules draft instead) and keeps the
 * guard explainable.
 */
export const forbiddenInferenceTerms: readonly string[] = [
  // 中文
  '情绪', '情感', '心情', '性格', '个性', '人格', '脾气', '口音', '方言', '普通话不标准', '外貌', '长相', '外表', '颜值', '相貌', '穿着', '打扮',
  '文化契合', '文化匹配', '价值观契合', '紧张', '焦虑', '自信', '不自信', '内向', '外向', '年龄', '性别', '婚育',
  // English
  'emotion', 'emotional', 'personality', 'temperament', 'accent', 'appearance', 'attractive', 'culture fit', 'cultural fit',
  'nervous', 'anxious', 'confident', 'confidence', 'introvert', 'extrovert', 'shy',
];

/** The forbidden terms the text contains (case-insensitive; English terms on word boundaries). */
export function forbiddenInferences(text: string): string[] {
  const lower = text.toLowerCase();
  return forbiddenInferenceTerms.filter((term) =>
    /^[a-z ]+$/.test(term) ? new RegExp(`(^|[^a-z])${term}([^a-z]|$)`).test(lower) : lower.includes(term),
  );
}
