/**
 * Text clean-up before lexing: full-width forms (NFKC), a few traditional characters, dashes and waves, lower case,
 * and removal of phrases that look like times but are not (早上好, 晚一点, 能不能 …).
 */

const traditional: Readonly<Record<string, string>> = {
  週: '周',
  點: '点',
  後: '后',
  禮: '礼',
  鐘: '钟',
  號: '号',
  兩: '两',
  個: '个',
  這: '这',
  時: '时',
  從: '从',
  晩: '晚',
};

const dashLike = /[\u2010-\u2015\u2212\u2053\u301c\u3030\uff5e\ufe58\ufe63~]/g;

/** Phrases that contain time words but say nothing about a time. */
const notTimes: readonly RegExp[] = [
  /(早上好|上午好|中午好|下午好|晚上好|早安|午安|晚安|good (morning|afternoon|evening|night))/g,
  // "a bit earlier / later" and friends: 一点 here is "a little", not 1 o'clock
  /(早|晚|快|慢|多|少|好|差|提前|推迟|延后|往后|往前|稍微|再|有)一点/g,
  /一点(点|儿)/g,
];

/** Question forms that contain a negation word but do not decline anything. */
const questionForms = /(能不能|可不可以|行不行|方不方便|有没有空|有没有时间|是不是|好不好|可以不可以|方便不方便)/g;

export function normalizeText(raw: string): string {
  let s = raw.normalize('NFKC').toLowerCase();
  s = s.replace(/[週點後禮鐘號兩個這時從晩]/g, (c) => traditional[c] ?? c);
  s = s.replace(dashLike, '~').replace(/\s+/g, ' ');
  for (const re of notTimes) s = s.replace(re, (m) => ' '.repeat(m.length));
  s = s.replace(questionForms, (m) => ' '.repeat(m.length));
  return s;
}

const cnDigits: Readonly<Record<string, number>> = { 零: 0, 〇: 0, 一: 1, 二: 2, 两: 2, 三: 3, 四: 4, 五: 5, 六: 6, 七: 7, 八: 8, 九: 9 };

/**
 * Chinese numerals 0–99 (十, 十二, 二十, 二十三, 零五, 〇五) and Arabic digits; undefined for anything else.
 */
export function parseNumber(text: string): number | undefined {
  if (/^\d{1,4}$/.test(text)) return Number(text);
  if (text.length === 0 || text.length > 3) return undefined;
  const ten = text.indexOf('十');
  if (ten < 0) {
    // 五, 零五, 〇五 (minutes as in 三点零五)
    if (text.length === 1) return cnDigits[text];
    if (text.length === 2 && cnDigits[text[0]!] === 0) return cnDigits[text[1]!];
    return undefined;
  }
  if (text.indexOf('十', ten + 1) >= 0) return undefined;
  const before = text.slice(0, ten);
  const after = text.slice(ten + 1);
  const tens = before === '' ? 1 : cnDigits[before];
  const ones = after === '' ? 0 : cnDigits[after];
  if (tens === undefined || ones === undefined || tens === 0 || (before !== '' && before.length > 1) || after.length > 1) return undefined;
  if (before === '两' && tens === 2) return undefined; // 两十 is not a number
  return tens * 10 + ones;
}
