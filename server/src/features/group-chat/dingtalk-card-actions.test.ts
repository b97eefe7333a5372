import { describe, expect, it } from 'vitest';
import { dingtalkCardClickOf } from './dingtalk-card-actions';

const base = { outTrackId: 'hb_abc', userId: 'u1', key: 'cancel:yes' };

describe('dingtalkCardClickOf', () => {
  it('reads a group click and a 1:1 click by the card’s own user', () => {
    expect(dingtalkCardClickOf('t1', { ...base, chat: 'group:cid==' })).toEqual({
      outTrackId: 'hb_abc', click: { platform: 'dingtalk', tenantId: 't1', chatType: 'group', chatId: 'cid==', senderId: 'u1', key: 'cancel:yes' },
    });
    expect(dingtalkCardClickOf('t1', { ...base, chat: 'single:u1' })).toEqual({
      outTrackId: 'hb_abc', click: { platform: 'dingtalk', tenantId: 't1', chatType: 'single', chatId: 'u1', senderId: 'u1', key: 'cancel:yes' },
    });
  });

  it("refuses a click on someone else's 1:1 card and clicks without a chat", () => {
    expect(dingtalkCardClickOf('t1', { ...base, chat: 'single:u2' })).toBeUndefined();
    expect(dingtalkCardClickOf('t1', { ...base, chat: 'single:' })).toBeUndefined();
    expect(dingtalkCardClickOf('t1', { ...base, chat: 'elsewhere:u1' })).toBeUndefined();
    expect(dingtalkCardClickOf('t1', { ...base })).toBeUndefined();
  });
});
