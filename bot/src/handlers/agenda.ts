import type { BotAnswer } from '../channel';
import { hhmm, maskName, timeLabel } from '../format';
import { say, type HandlerContext } from './context';

const marks = { confirmed: '✅ 已确认', unconfirmed: '⏳ 未确认', late: '⚠️ 已到时间仍未确认', checked_in: '📍 已签到', no_show: '❌ 未到场' } as const;

/** 今日 / 本周: the schedule of the jobs the sender may see, with unconfirmed, checked-in and no-show marks. */
export async function agenda(ctx: HandlerContext, range: 'today' | 'week'): Promise<BotAnswer> {
  const result = await ctx.api.agenda(range);
  const title = range === 'today' ? '今日面试' : '本周面试';
  if (result.items.length === 0) return say(`**${title}**\n暂无面试安排。`);
  const inGroup = ctx.message.chatType === 'group';
  const lines = result.items.map((i) => {
    const when = range === 'today' ? `${hhmm(i.startsAt, result.timeZone)}–${hhmm(i.endsAt, result.timeZone)}` : timeLabel(i.startsAt, result.timeZone);
    return `- ${when} ${inGroup ? maskName(i.candidateName) : i.candidateName} · ${i.jobTitle} · ${i.roundName} · ${marks[i.mark]}${i.panel.length ? `（${i.panel.join('、')}）` : ''}`;
  });
  const count = (m: keyof typeof marks) => result.items.filter((i) => i.mark === m).length;
  return say([`**${title}**（共 ${result.items.length} 场：未确认 ${count('unconfirmed') + count('late')}，已签到 ${count('checked_in')}，未到场 ${count('no_show')}）`, ...lines].join('\n'));
}
