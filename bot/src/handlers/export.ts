import type { BotAnswer } from '../channel';
import { later, say, type HandlerContext } from './context';

/**
 * 导出: the server builds the .xlsx (interviews and scores of the last 30 days in the sender's scope) and sends the
 * sender alone a 1:1 card with a download link that works once within ten minutes. The file never enters a group.
 * Building the file can take a while: the chat hears at once that it is being made, then the result.
 */
export async function exportInterviews(ctx: HandlerContext): Promise<BotAnswer> {
  const where = ctx.message.chatType === 'group' ? '文件不会发到群里，已私信发给您' : '已私信发给您';
  const work = ctx.api.requestExport('30d').then((sent) => say(`📄 近30天面试与评分导出完成（${sent.rows} 行）。${where}下载链接（10 分钟内有效，仅可下载一次）。`));
  return later({ kind: 'markdown', content: '正在生成近30天面试与评分导出，完成后私信您下载链接…' }, work);
}
