import { encodeKey } from '../card-keys';
import type { BotAnswer } from '../channel';
import type { Command } from '../commands';
import { maskName, timeLabel } from '../format';
import { answer, say, type HandlerContext } from './context';
import { timeProblem } from './schedule';
import { findOpenInterview } from './upcoming';

type Reschedule = Extract<Command, { name: 'reschedule' }>;

/** 改期 <候选人> <新时间>: moves the open interview; the candidate must confirm again. Ambiguous times are asked back. */
export async function reschedule(ctx: HandlerContext, command: Reschedule): Promise<BotAnswer> {
  const found = await findOpenInterview(ctx, command.candidate);
  if (!found.ok) return say(found.message);
  const { interview, candidateName } = found.value;
  const shown = ctx.message.chatType === 'group' ? maskName(candidateName) : candidateName;
  const parsed = await ctx.api.parseTime(command.time);
  if (parsed.kind === 'ambiguous') {
    return answer({
      kind: 'card',
      title: parsed.question,
      description: `${shown} · ${interview.jobTitle} · ${interview.roundName} 改到：`,
      exclusive: true,
      buttons: [
        ...parsed.options.filter((o) => o.kind === 'exact').slice(0, 4).map((o) => ({ label: o.label, key: encodeKey({ a: 'reschedule', iv: interview.interviewId, at: o.start }), style: 'primary' as const })),
        { label: '都不是', key: encodeKey({ a: 'dismiss' }) },
      ],
    });
  }
  const problem = timeProblem(parsed);
  if (problem || parsed.kind !== 'exact') return say(problem ?? '时间无法识别。');
  return applyReschedule(ctx, interview.interviewId, parsed.start, `${shown} · ${interview.jobTitle} · ${interview.roundName}`);
}

export async function applyReschedule(ctx: HandlerContext, interviewId: string, startsAt: string, summary: string): Promise<BotAnswer> {
  const moved = await ctx.api.reschedule(interviewId, { startsAt, reason: '' });
  return answer({ kind: 'card', title: '已改期，等待候选人重新确认', description: `${summary}\n新时间：${timeLabel(moved.startsAt, ctx.timeZone)}`, buttons: [] });
}
