import type { BotAnswer } from '../channel';
import { say } from './context';

/**
 * Commands the grammar knows but the bot cannot carry out yet, answered plainly instead of pretending:
 * 面评进度 waits for scorecards, 导出 for an interview export endpoint, 同步 for a roster-sync endpoint.
 */
const notes = {
  reviews: '“面评进度”暂未开放：面评功能上线后即可使用。',
  export: '“导出”暂未开放：请在 HR 后台导出面试数据（导出会留痕）。',
  sync: '“同步”暂未开放：通讯录每晚自动同步，也可由管理员运行 npm run sync:roster。',
} as const;

export function unavailable(name: keyof typeof notes): BotAnswer {
  return say(notes[name]);
}
