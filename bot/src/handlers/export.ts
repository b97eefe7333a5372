import type { BotAnswer } from '../channel';
import { say, type HandlerContext } from './context';

/**
 * 导出: the server builds the .xlsx (interviews and scores of the last 30 days in the sender's scope) and sends the
 * sender alone a 1:1 card with a download link that works once within ten minutes. The file never enters a group.
 */
export async function exportInterviews(ctx: HandlerContext): Promise<BotAnswer> {
  const sent = await ctx.api.requestExport('30d');
  const where = ctx.message.chatType === 'group' ? '文件不会发到群里，已私信发给您' : '已私信发给您';
  return say(`📄 近30天面试与评分导出完成（${sent.rows} 行）。${where}下载链接（10 分钟内有效，仅可下载一次）。`);
}
