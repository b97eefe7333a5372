import { encodeKey } from '../card-keys';
import type { BotAnswer } from '../channel';
import type { Command } from '../commands';
import { maskName, timeLabel } from '../format';
import { answer, say, type HandlerContext } from './context';
import { findOpenInterview } from './upcoming';

type Cancel = Extract<Command, { name: 'cancel' }>;

/** 取消 <候选人> <原因>: nothing happens until the confirmation button is clicked (a card event comes back). */
export async function cancel(ctx: HandlerContext, command: Cancel): Promise<BotAnswer> {
  const found = await findOpenInterview(ctx, command.candidate);
  if (!found.ok) return say(found.message);
  const { interview, candidateName } = found.value;
  if (command.reason.trim().length < 2) return say('请写明取消原因（至少两个字），候选人会看到。');
  const shown = ctx.message.chatType === 'group' ? maskName(candidateName) : candidateName;
  return answer({
    kind: 'card',
    title: '确认取消这场面试？',
    exclusive: true,
    description: [`${shown} · ${interview.jobTitle} · ${interview.roundName}`, interview.startsAt ? `时间：${timeLabel(interview.startsAt, ctx.timeZone)}` : '', `原因：${command.reason}`, '候选人和面试官都会收到通知。'].filter(Boolean).join('\n'),
    buttons: [
      { label: '确认取消', key: encodeKey({ a: 'cancel', iv: interview.interviewId, reason: command.reason.slice(0, 200) }), style: 'danger' },
      { label: '不取消', key: encodeKey({ a: 'dismiss' }) },
    ],
  });
}
