import type { RosterSyncResult } from '@hirebridge/server/contracts';
import type { BotAnswer } from '../channel';
import { later, say, type HandlerContext } from './context';

/** The result of a roster sync as the chat sees it. */
export function syncResultText(result: RosterSyncResult): string {
  const seconds = ((Date.parse(result.finishedAt) - Date.parse(result.startedAt)) / 1000).toFixed(1);
  return [
    `**通讯录同步完成**（用时 ${seconds} 秒）`,
    `员工：新增 ${result.added}，更新 ${result.updated}，离职/停用 ${result.left}，未变 ${result.unchanged}`,
    `部门：新增 ${result.departments.added}，更新 ${result.departments.updated}，未变 ${result.departments.unchanged}`,
    result.errors.length ? `需要留意（${result.errors.length}）：\n${result.errors.slice(0, 10).map((e) => `- ${e.message}`).join('\n')}` : '没有错误。',
  ].join('\n');
}

/**
 * 同步: runs the tenant's roster sync on the server (admin or HR only; audited there). 同步中… is answered at once
 * (the platform layer sends it into the response URL before the sync ends); the result — or why it failed — follows.
 */
export async function sync(ctx: HandlerContext): Promise<BotAnswer> {
  const work = ctx.api.syncRoster().then((result) => say(syncResultText(result)));
  return later({ kind: 'markdown', content: '同步中…正在读取通讯录，完成后告诉您结果。' }, work);
}
