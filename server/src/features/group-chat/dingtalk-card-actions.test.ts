import { describe, expect, it } from 'vitest';
import { dingtalkCardClickOf } from './dingtalk-card-actions';
import type { DingtalkCardDelivery } from './origin-store';

const base = { outTrackId: 'hb_abc', userId: 'u1', key: 'cancel:yes' };
const inGroup: DingtalkCardDelivery[] = [{ target: { channel: 'dingtalk_group', openConversationId: 'cid==' }, exclusive: true }];
const toU1: DingtalkCardDelivery[] = [{ target: { channel: 'dingtalk_oto', userId: 'u1' }, exclusive: false }];

describe('dingtalkCardClickOf', () => {
  it('reads a group click and a 1:1 click by the card’s own user, in the chat the card was delivered to', () => {
    expect(dingtalkCardClickOf('t1', { ...base, chat: 'group:cid==' }, inGroup)).toMatchObject({
      outTrackId: 'hb_abc', exclusive: true, click: { platform: 'dingtalk', tenantId: 't1', chatType: 'group', chatId: 'cid==', senderId: 'u1', key: 'cancel:yes' },
    });
    expect(dingtalkCardClickOf('t1', { ...base, chat: 'single:u1' }, toU1)).toMatchObject({
      outTrackId: 'hb_abc', exclusive: false, click: { platform: 'dingtalk', tenantId: 't1', chatType: 'single', chatId: 'u1', senderId: 'u1', key: 'cancel:yes' },
    });
    // No chat param (an older template): the delivery decides.
    expect(dingtalkCardClickOf('t1', { ...base }, inGroup)?.click.chatId).toBe('cid==');
  });

  it('refuses unknown cards, a claimed chat that is not the card’s, and someone else’s 1:1 card', () => {
    expect(dingtalkCardClickOf('t1', { ...base, chat: 'group:cid==' }, [])).toBeUndefined();
    expect(dingtalkCardClickOf('t1', { ...base, chat: 'group:otherGroup==' }, inGroup)).toBeUndefined();
    expect(dingtalkCardClickOf('t1', { ...base, chat: 'single:u1' }, inGroup)).toBeUndefined();
    expect(dingtalkCardClickOf('t1', { ...base, chat: 'group:cid==' }, toU1)).toBeUndefined();
    expect(dingtalkCardClickOf('t1', { ...base, userId: 'u2', chat: 'single:u1' }, toU1)).toBeUndefined();
    expect(dingtalkCardClickOf('t1', { ...base, chat: 'elsewhere:u1' }, inGroup)).toBeUndefined();
  });
});
