import { ApiError, type ServerApi } from './api';
import { decodeKey } from './card-keys';
import type { BotAnswer, CardClick, InboundMessage } from './channel';
import { parseCommand } from './commands';
import { maskName } from './format';
import { agenda } from './handlers/agenda';
import { cancel } from './handlers/cancel';
import { candidate } from './handlers/candidate';
import { say, type HandlerContext } from './handlers/context';
import { funnel } from './handlers/funnel';
import { help } from './handlers/help';
import { report } from './handlers/report';
import { applyReschedule, reschedule } from './handlers/reschedule';
import { confirmScheduled, schedule } from './handlers/schedule';
import { satisfaction } from './handlers/satisfaction';
import { decodeNudgeKey, nudge, reviews } from './handlers/reviews';
import { sync } from './handlers/sync';
import { exportInterviews } from './handlers/export';
import { subscribe, unsubscribe } from './handlers/subscribe';

export interface BotOptions {
  readonly timeZone?: string;
  /** The server's record of this message or click (what it audited `bot.command` under); see HandlerContext. */
  readonly requestId?: string;
}

/** A long command's follow-up never rejects: a failure becomes its (Chinese-first) error reply. */
function settled(answer: BotAnswer): BotAnswer {
  if (!answer.followUp) return answer;
  return { replies: answer.replies, followUp: answer.followUp.catch((error: unknown) => failure(error).replies) };
}

/** Errors the server answered become their own (Chinese-first) message; anything else a plain apology. */
function failure(error: unknown): BotAnswer {
  return failed(failureText(error));
}

/** An answer that reports a failure (a card click answered so leaves its card open for another try). */
function failed(content: string): BotAnswer {
  return { replies: [{ kind: 'markdown', content, failed: true }] };
}

function failureText(error: unknown): string {
  if (error instanceof ApiError) {
    if (error.status === 401) return '会话已过期，请重新发送命令。';
    if (error.code === 'FORBIDDEN') return '您没有执行此操作的权限。';
    if (error.code === 'NOT_FOUND') return '找不到对象，或不在您负责的范围内。';
    return error.message;
  }
  return '处理时出错了，请稍后再试。';
}

/**
 * One message to the bot → its answer. `api` acts as the sender (the server checked who they are and that they may
 * use the bot). Unknown or malformed text gets help, never a guess.
 */
export async function handleMessage(message: InboundMessage, api: ServerApi, options: BotOptions = {}): Promise<BotAnswer> {
  const ctx: HandlerContext = { message, api, timeZone: options.timeZone ?? 'Asia/Shanghai', requestId: options.requestId ?? message.messageId.slice(0, 100) };
  // 取消订阅 would read as 取消 (cancel an interview) without a reason: it is its own command.
  if (/^(取消订阅|退订|unsubscribe)$/i.test(message.text.trim())) return unsubscribe(ctx).catch(failure);
  const parsed = parseCommand(message.text, message.mentions);
  if (!parsed.ok) return say(parsed.message);
  const command = parsed.command;
  try {
    switch (command.name) {
      case 'help':
        return help();
      case 'schedule':
        return await schedule(ctx, command);
      case 'reschedule':
        return await reschedule(ctx, command);
      case 'cancel':
        return await cancel(ctx, command);
      case 'today':
        return await agenda(ctx, 'today');
      case 'week':
        return await agenda(ctx, 'week');
      case 'candidate':
        return await candidate(ctx, command);
      case 'funnel':
        return await funnel(ctx, command);
      case 'report':
        return settled(report(ctx, command));
      case 'satisfaction':
        return await satisfaction(ctx, command);
      case 'reviews':
        return await reviews(ctx);
      case 'sync':
        return settled(await sync(ctx));
      case 'export':
        return settled(await exportInterviews(ctx));
      case 'subscribe':
        return await subscribe(ctx, command.time);
    }
  } catch (error) {
    return failure(error);
  }
}

/** A button click on one of the bot's cards. Keys the bot did not write are refused. */
export async function handleCardClick(click: CardClick, api: ServerApi, options: BotOptions = {}): Promise<BotAnswer> {
  const ctx: HandlerContext = { message: { ...click, mentions: [] }, api, timeZone: options.timeZone ?? 'Asia/Shanghai', ...(options.requestId && { requestId: options.requestId }) };
  const nudgeAction = decodeNudgeKey(click.key);
  if (nudgeAction) return nudge(ctx, nudgeAction).catch(failure);
  const action = decodeKey(click.key);
  if (!action) return failed('这个按钮已失效，请重新发送命令。');
  try {
    switch (action.a) {
      case 'dismiss':
        return say('好的，已取消操作。');
      case 'schedule': {
        const application = await api.application(action.app).catch(() => undefined);
        const summary = application ? `${click.chatType === 'group' ? maskName(application.candidateName) : application.candidateName} · ${application.jobTitle}` : '';
        return await confirmScheduled(ctx, { applicationId: action.app, roundId: action.round, startsAt: action.at, panel: action.panel.map((employeeId) => ({ employeeId })), summary, panelNames: '' });
      }
      case 'reschedule':
        return await applyReschedule(ctx, action.iv, action.at, '');
      case 'cancel': {
        await api.cancel(action.iv, action.reason);
        return say(`已取消面试，已通知候选人和面试官。原因：${action.reason}`);
      }
    }
  } catch (error) {
    return failure(error);
  }
}
