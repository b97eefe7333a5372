import { describe, expect, it } from 'vitest';
import { ApiError, type ServerApi } from './api';
import { handleMessage } from './bot';
import type { InboundMessage, Reply } from './channel';

const message = (text: string): InboundMessage => ({
  platform: 'wecom', tenantId: 't', messageId: 'msg-1', chatType: 'group', chatId: 'wrkG', senderId: 'hr', text, mentions: [],
});
const text = (replies: readonly Reply[]) => replies.map((r) => (r.kind === 'markdown' ? r.content : '')).join('\n');

/** A server whose roster sync (and export) the test settles by hand. */
function heldApi() {
  let settle!: { resolve: (v: unknown) => void; reject: (e: unknown) => void };
  const held = () => new Promise((resolve, reject) => { settle = { resolve, reject }; });
  const api = { syncRoster: held, requestExport: held } as unknown as ServerApi;
  return { api, settle: () => settle };
}

describe('long commands answer at once and finish with a follow-up', () => {
  it('同步: 同步中… comes back while the sync is still running; the result follows', async () => {
    const { api, settle } = heldApi();
    const answer = await handleMessage(message('同步'), api);
    expect(text(answer.replies)).toContain('同步中');
    let done = false;
    const later = answer.followUp!.then((r) => { done = true; return r; });
    await Promise.resolve();
    expect(done).toBe(false);
    settle().resolve({ startedAt: '2026-11-23T02:00:00Z', finishedAt: '2026-11-23T02:00:02Z', added: 1, updated: 0, left: 0, unchanged: 3, departments: { added: 0, updated: 0, unchanged: 1 }, errors: [] });
    expect(text(await later)).toContain('**通讯录同步完成**（用时 2.0 秒）');
  });

  it('a failure becomes the follow-up’s own clear reply (the follow-up never rejects)', async () => {
    const { api, settle } = heldApi();
    const answer = await handleMessage(message('同步'), api);
    settle().reject(new ApiError(409, 'CONFLICT', '通讯录平台暂时无法访问，同步未完成，请稍后再试。'));
    expect(text(await answer.followUp!)).toContain('同步未完成');
  });

  it('报表: says it is on it at once; three charts and the summary follow; an empty period says so', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => { release = resolve; });
    const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47]);
    const period = { period: 'month', from: '2026-10-31T16:00:00.000Z', to: '2026-11-23T02:00:00.000Z' };
    const api = {
      timeToHire: async () => { await gate; return { ...period, hires: 0, medianDays: null, p90Days: null, jobs: [] }; },
      noShowsByJob: async () => ({ ...period, items: [] }),
      interviewerLoad: async () => ({ ...period, items: [] }),
      timeToHirePng: async () => png, noShowPng: async () => png, interviewerLoadPng: async () => png,
    } as unknown as ServerApi;
    const answer = await handleMessage(message('报表 本月'), api);
    expect(text(answer.replies)).toContain('正在生成报表（本月）');
    let done = false;
    const later = answer.followUp!.then((r) => { done = true; return r; });
    await Promise.resolve();
    expect(done).toBe(false);
    release();
    const replies = await later;
    expect(replies.map((r) => (r.kind === 'image' ? r.alt : r.kind))).toEqual(['招聘周期（本月）', '未到场率（本月）', '面试官负荷（本月）', 'markdown']);
    expect(text(replies)).toContain('该期间没有录用');
    expect(text((await handleMessage(message('报表 上辈子'), api)).replies)).toContain('没听懂期间“上辈子”');
  });

  it('报表: a refusal by the server becomes the follow-up’s reply', async () => {
    const refuse = async () => { throw new ApiError(403, 'FORBIDDEN', '无权限'); };
    const api = { timeToHire: refuse, noShowsByJob: refuse, interviewerLoad: refuse } as unknown as ServerApi;
    const answer = await handleMessage(message('report'), api);
    expect(text(await answer.followUp!)).toBe('您没有执行此操作的权限。');
  });

  it('导出: the link arrives by a follow-up; an unexpected error is an apology, not a crash', async () => {
    const { api, settle } = heldApi();
    const answer = await handleMessage(message('导出'), api);
    settle().reject(new Error('socket hang up'));
    expect(text(await answer.followUp!)).toBe('处理时出错了，请稍后再试。');
  });
});
