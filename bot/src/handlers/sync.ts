import type { BotAnswer } from '../channel';
import { answer, type HandlerContext } from './context';

/**
 * 同步: runs the tenant's roster sync on the server (admin or HR only; audited there). The first reply (同步中…) and
 * the result are two messages: the platform layer sends the first into the response URL and the result as a follow-up.
 */
export async function sync(ctx: HandlerContext): Promise<BotAnswer> {
  const result = await ctx.api.syncRoster();
  const seconds = ((Date.parse(result.finishedAt) - Date.parse(result.startedAt)) / 1000).toFixed(1);
  const lines = [
    `**通讯录同步完成**（用时 ${seconds} 秒）`,
    `员工：新增 ${result.added}，更新 ${result.updated}，离职/停用 ${result.left}，未变 ${result.unchanged}`,
    `部门：新增 ${result.departments.added}，更新 ${result.departments.updated}，未变 ${result.departments.unchanged}`,
    result.errors.length ? `需要留意（${result.errors.length}）：\n${result.errors.slice(0, 10).map((e) => `- ${e.message}`).join('\n')}` : '没有错误。',
  ];
  return answer({ kind: 'markdown', content: '同步中…正在读取通讯录，完成后告诉您结果。' }, { kind: 'markdown', content: lines.join('\n') });
}
