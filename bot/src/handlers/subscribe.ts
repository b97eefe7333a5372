import type { BotAnswer } from '../channel';
import { say, type HandlerContext } from './context';

const cnDigits: Record<string, number> = { 零: 0, 一: 1, 二: 2, 两: 2, 三: 3, 四: 4, 五: 5, 六: 6, 七: 7, 八: 8, 九: 9, 十: 10, 十一: 11, 十二: 12 };

/**
 * A daily time as people write it: "每天 9:00", "每天9点", "早上九点半", "下午5点30", "18:15" → "H:MM" (24 h);
 * undefined for anything else (the bot then shows an example instead of guessing).
 */
export function parseDailyTime(text: string): string | undefined {
  let t = text.replace(/\s+/g, '').replace(/^(每天|每日|daily)/i, '');
  const pm = /^(下午|晚上|傍晚)/.test(t);
  t = t.replace(/^(早上|上午|早晨|中午|下午|晚上|傍晚)/, '');
  let h: number | undefined;
  let m = 0;
  const colon = /^(\d{1,2})[:：](\d{2})$/.exec(t);
  const dian = /^(\d{1,2}|十[一二]?|[一二两三四五六七八九])点(半|(\d{1,2})分?|整)?$/.exec(t);
  if (colon) {
    h = Number(colon[1]);
    m = Number(colon[2]);
  } else if (dian) {
    h = /^\d/.test(dian[1]!) ? Number(dian[1]) : cnDigits[dian[1]!];
    m = dian[2] === '半' ? 30 : dian[3] ? Number(dian[3]) : 0;
  }
  if (h === undefined || !Number.isInteger(h)) return undefined;
  if (pm && h < 12) h += 12;
  if (h > 23 || m > 59) return undefined;
  return `${h}:${String(m).padStart(2, '0')}`;
}

/** This chat, with the server's record of the message naming it (the server refuses a chat it did not hear from). */
const chatRef = (ctx: HandlerContext) => ({ platform: ctx.message.platform, chatId: ctx.message.chatId, requestId: ctx.requestId ?? '' });

/** 订阅 <每天的时间>: this group gets the day's agenda (as 今日 shows it) at that time, in the tenant's zone. */
export async function subscribe(ctx: HandlerContext, text: string): Promise<BotAnswer> {
  if (/^(取消|关闭|停止|off|stop)$/i.test(text.trim())) return unsubscribe(ctx);
  if (ctx.message.chatType !== 'group') return say('群日报只能在群里订阅：请在要接收日报的群里 @我 发送“订阅 每天 9:00”。');
  const time = parseDailyTime(text);
  if (!time) return say('没看懂时间。请这样写：订阅 每天 9:00（也可以写“每天9点半”“下午5点”）。');
  const result = await ctx.api.subscribeDigest({ ...chatRef(ctx), time });
  return say(`已订阅群日报：每天 ${result.localTime}（${result.timeZone}）把当天的面试安排发到本群（候选人姓名打码）。发送“取消订阅”可停止。`);
}

/** 取消订阅: this chat's digest stops. */
export async function unsubscribe(ctx: HandlerContext): Promise<BotAnswer> {
  if (ctx.message.chatType !== 'group') return say('群日报只能在群里取消：请在订阅了日报的群里 @我 发送“取消订阅”。');
  const result = await ctx.api.unsubscribeDigest(chatRef(ctx));
  return say(result.removed ? '已取消本群的日报订阅。' : '本群没有订阅日报。');
}
