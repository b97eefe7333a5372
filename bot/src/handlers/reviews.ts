import type { BotAnswer, CardButton } from '../channel';
import { maskName, timeLabel } from '../format';
import { answer, say, type HandlerContext } from './context';

/**
 * A 催办 button's key: which interviewer of which interview to nudge. Same self-describing `hb1.` + base64url(JSON)
 * form as the other card keys (src/card-keys.ts), with its own action `nudge`, so the bot keeps no state.
 */
export interface NudgeAction {
  readonly a: 'nudge';
  readonly iv: string;
  readonly who: string;
}

const prefix = 'hb1.';
const idLike = (v: unknown): v is string => typeof v === 'string' && /^[0-9A-Za-z-]{1,64}$/.test(v);

export function encodeNudgeKey(interviewId: string, interviewerId: string): string {
  return prefix + Buffer.from(JSON.stringify({ a: 'nudge', iv: interviewId, who: interviewerId }), 'utf8').toString('base64url');
}

export function decodeNudgeKey(key: string): NudgeAction | undefined {
  if (typeof key !== 'string' || !key.startsWith(prefix) || key.length > 1024) return undefined;
  try {
    const value = JSON.parse(Buffer.from(key.slice(prefix.length), 'base64url').toString('utf8')) as Record<string, unknown>;
    return value.a === 'nudge' && idLike(value.iv) && idLike(value.who) ? { a: 'nudge', iv: value.iv, who: value.who } : undefined;
  } catch {
    return undefined;
  }
}

/** At most this many interviewers get a button; the rest are listed as text with the total. */
const maxButtons = 5;

/**
 * 面评进度: the late scorecards in the sender's scope (GET /api/scorecards/late), oldest due first, as a card with
 * one 催办 button per interviewer (their oldest late card). Candidates' names are masked in groups.
 */
export async function reviews(ctx: HandlerContext): Promise<BotAnswer> {
  const late = await ctx.api.lateScorecards();
  if (late.items.length === 0) return say('**面评进度**\n没有逾期未交的评分卡。👍');
  const inGroup = ctx.message.chatType === 'group';
  const lines = late.items.slice(0, 20).map((i) =>
    `- ${i.interviewerName} · ${inGroup ? maskName(i.candidateName) : i.candidateName} · ${i.jobTitle}·${i.roundName} · 截止 ${timeLabel(i.dueAt, ctx.timeZone)}（逾期 ${i.hoursLate} 小时，${i.status === 'draft' ? '草稿未提交' : '未填写'}${i.nudgesSent ? `，已提醒 ${i.nudgesSent} 次` : ''}${i.escalated ? '，已告知其上级' : ''}）`);
  if (late.items.length > 20) lines.push(`- …另有 ${late.items.length - 20} 份`);
  const buttons: CardButton[] = [];
  const seen = new Set<string>();
  for (const i of late.items) {
    if (seen.has(i.interviewerId) || buttons.length >= maxButtons) continue;
    seen.add(i.interviewerId);
    buttons.push({ label: `催办 ${i.interviewerName}`, key: encodeNudgeKey(i.interviewId, i.interviewerId) });
  }
  const people = new Set(late.items.map((i) => i.interviewerId)).size;
  return answer({
    kind: 'card',
    title: `面评进度：${late.items.length} 份评分卡逾期（${people} 位面试官）`,
    description: lines.join('\n'),
    buttons,
  });
}

/** The 催办 click: nudges that interviewer now through the server (at most once an hour, audited there). */
export async function nudge(ctx: HandlerContext, action: NudgeAction): Promise<BotAnswer> {
  const sent = await ctx.api.nudge(action.iv, action.who);
  return say(`已催办 ${sent.interviewerName}：已私信提醒其提交评分卡（附评分链接）。一小时内不会重复催办。`);
}
