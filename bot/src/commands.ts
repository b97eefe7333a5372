/**
 * The HR bot's command grammar: the first word names the command (Chinese, or its English alias), the rest are its
 * arguments. Times stay raw text here — the server reads them in the tenant's zone (natural Chinese time) — and people
 * come as the platform's @-mentions, never guessed from names. Garbage never throws: it gets a helpful message.
 */

export interface Mention {
  /** The platform's user id (WeCom userid, DingTalk staffId). */
  readonly id: string;
  readonly name: string;
}

export type Command =
  | { readonly name: 'schedule'; readonly candidate: string; readonly job: string; readonly time: string | null; readonly panel: readonly Mention[] }
  | { readonly name: 'reschedule'; readonly candidate: string; readonly time: string }
  | { readonly name: 'cancel'; readonly candidate: string; readonly reason: string }
  | { readonly name: 'today' }
  | { readonly name: 'week' }
  | { readonly name: 'candidate'; readonly query: string }
  | { readonly name: 'reviews' }
  | { readonly name: 'funnel'; readonly job: string; readonly period: string }
  | { readonly name: 'report'; readonly period: string }
  | { readonly name: 'satisfaction'; readonly job: string | null }
  | { readonly name: 'export' }
  | { readonly name: 'sync' }
  | { readonly name: 'subscribe'; readonly time: string }
  | { readonly name: 'help' };

export type ParseResult = { readonly ok: true; readonly command: Command } | { readonly ok: false; readonly message: string };

interface Spec {
  readonly zh: string;
  readonly aliases: readonly string[];
  readonly usage: string;
  readonly summary: string;
}

/** One line each in 帮助, in this order. */
export const commandSpecs: readonly (Spec & { readonly name: Command['name'] })[] = [
  { name: 'schedule', zh: '约面', aliases: ['schedule'], usage: '约面 <候选人姓名或手机尾号> <职位> <时间|让候选人选时间> @面试官', summary: '安排面试并邀请候选人' },
  { name: 'reschedule', zh: '改期', aliases: ['reschedule'], usage: '改期 <候选人> <新时间>', summary: '改到新的时间（候选人需重新确认）' },
  { name: 'cancel', zh: '取消', aliases: ['cancel'], usage: '取消 <候选人> <原因>', summary: '取消面试（会先请您确认）' },
  { name: 'today', zh: '今日', aliases: ['today'], usage: '今日', summary: '今天的面试，标出未确认、已签到和未到场' },
  { name: 'week', zh: '本周', aliases: ['week'], usage: '本周', summary: '本周的面试' },
  { name: 'candidate', zh: '候选人', aliases: ['candidate'], usage: '候选人 <姓名或手机尾号>', summary: '阶段、面试和已有评分' },
  { name: 'reviews', zh: '面评进度', aliases: ['reviews'], usage: '面评进度', summary: '待提交的面评，可一键催办' },
  { name: 'funnel', zh: '漏斗', aliases: ['funnel'], usage: '漏斗 <职位> <期间，如 本月、近30天>', summary: '招聘漏斗图' },
  { name: 'report', zh: '报表', aliases: ['report', '招聘周期'], usage: '报表 <期间，如 本月>', summary: '招聘周期、未到场率、面试官负荷（三张图和摘要）' },
  { name: 'satisfaction', zh: '满意度', aliases: ['nps', 'satisfaction'], usage: '满意度 [职位]', summary: '候选人满意度（至少 5 份才显示）' },
  { name: 'export', zh: '导出', aliases: ['export'], usage: '导出', summary: '面试与评分 Excel，私聊发给您（留痕）' },
  { name: 'sync', zh: '同步', aliases: ['sync'], usage: '同步', summary: '同步通讯录并报告结果' },
  { name: 'subscribe', zh: '订阅', aliases: ['subscribe'], usage: '订阅 <每天的时间，如 9点>', summary: '每天在群里发一份日报' },
  { name: 'help', zh: '帮助', aliases: ['help', '?', '？'], usage: '帮助', summary: '列出全部命令' },
];

export function helpText(): string {
  return ['可用命令（在群里请先 @我）：', ...commandSpecs.map((s) => `· ${s.usage} — ${s.summary}`)].join('\n');
}

const maxLength = 500;
/** Full-width letters, digits and spaces become half-width; @-mentions are taken out (they come as data). */
function normalise(text: string, mentions: readonly Mention[]): string {
  let out = text.replace(/[\uff01-\uff5e]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0)).replace(/\u3000/g, ' ');
  for (const m of mentions) out = out.split(`@${m.name}`).join(' ');
  return out.replace(/\s+/g, ' ').trim();
}

const usageOf = (name: Command['name']) => commandSpecs.find((s) => s.name === name)!.usage;
const fail = (message: string): ParseResult => ({ ok: false, message });
const needs = (name: Command['name'], what: string) => fail(`还缺少${what}。用法：${usageOf(name)}`);

/**
 * Parses one message addressed to the bot. `mentions` are the people @-mentioned in it, the bot itself excluded
 * (the channel adapter knows who the bot is).
 */
export function parseCommand(text: string, mentions: readonly Mention[] = []): ParseResult {
  if (typeof text !== 'string' || text.length > maxLength) return fail(`消息太长了。发送“帮助”查看用法。`);
  const clean = normalise(text, mentions);
  if (clean === '') return { ok: true, command: { name: 'help' } };
  const [head = '', ...rest] = clean.split(' ');
  const word = head.toLowerCase();
  const spec = commandSpecs.find((s) => s.zh === word || s.aliases.includes(word)) ??
    // 约面张三… written without a space still names the command.
    commandSpecs.find((s) => word.startsWith(s.zh));
  if (!spec) return fail(`没听懂“${head.slice(0, 20)}”。发送“帮助”查看全部命令，例如：约面 张三 后端工程师 明天下午3点 @李雷`);
  const args = spec.zh !== word && !spec.aliases.includes(word) && word.startsWith(spec.zh) ? [head.slice(spec.zh.length), ...rest] : rest;
  const tail = (from: number) => args.slice(from).join(' ').trim();

  switch (spec.name) {
    case 'schedule': {
      if (!args[0]) return needs('schedule', '候选人');
      if (!args[1]) return needs('schedule', '职位');
      const time = tail(2);
      if (!time) return needs('schedule', '时间（或“让候选人选时间”）');
      if (mentions.length === 0) return needs('schedule', '面试官（请 @ 面试官）');
      return { ok: true, command: { name: 'schedule', candidate: args[0], job: args[1], time: /让候选人选|候选人选|candidate picks?/i.test(time) ? null : time, panel: mentions } };
    }
    case 'reschedule':
      if (!args[0]) return needs('reschedule', '候选人');
      if (!tail(1)) return needs('reschedule', '新时间');
      return { ok: true, command: { name: 'reschedule', candidate: args[0], time: tail(1) } };
    case 'cancel':
      if (!args[0]) return needs('cancel', '候选人');
      if (!tail(1)) return needs('cancel', '原因');
      return { ok: true, command: { name: 'cancel', candidate: args[0], reason: tail(1) } };
    case 'candidate':
      if (!tail(0)) return needs('candidate', '姓名或手机尾号');
      return { ok: true, command: { name: 'candidate', query: tail(0) } };
    case 'funnel':
      if (!args[0]) return needs('funnel', '职位');
      return { ok: true, command: { name: 'funnel', job: args[0], period: tail(1) || '近30天' } };
    case 'report':
      return { ok: true, command: { name: 'report', period: tail(0) || '本月' } };
    case 'satisfaction':
      return { ok: true, command: { name: 'satisfaction', job: tail(0) || null } };
    case 'subscribe':
      if (!tail(0)) return needs('subscribe', '时间');
      return { ok: true, command: { name: 'subscribe', time: tail(0) } };
    case 'today':
    case 'week':
    case 'reviews':
    case 'export':
    case 'sync':
    case 'help':
      return { ok: true, command: { name: spec.name } };
  }
}
