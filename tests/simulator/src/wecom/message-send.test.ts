import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type WecomFixture, agentId, corpId, startWecomFixture, textTo } from '../testing/wecom-fixture';

describe('WeCom message/send', () => {
  let f: WecomFixture;
  let token: string;
  beforeEach(async () => {
    f = await startWecomFixture();
    token = await f.api.token();
  });
  afterEach(() => f.stop());

  it('delivers text, markdown and textcard messages in order and answers a msgid', async () => {
    const text = await f.api.send(textTo('lisi', '你好'), token);
    expect(text).toMatchObject({ errcode: 0, errmsg: 'ok' });
    expect(typeof text.msgid).toBe('string');
    expect(text).not.toHaveProperty('invaliduser');
    await f.api.send({ touser: 'lisi', msgtype: 'markdown', markdown: { content: '**面试**提醒' } }, token);
    await f.api.send(
      { touser: 'lisi', msgtype: 'textcard', textcard: { title: '面试', description: '周三', url: 'https://example.com' } },
      token,
    );
    const got = f.sim.wecom.received('lisi');
    expect(got.map((m) => m.msgtype)).toEqual(['text', 'markdown', 'textcard']);
    expect(got[0]).toMatchObject({ content: '你好', agentId, msgid: text.msgid });
    expect(got[1]?.content).toBe('**面试**提醒');
  });

  it('matches userids case-insensitively and lists unknown ones lower-cased in invaliduser', async () => {
    const answer = await f.api.send(textTo('zhangsan|Ghost|LISI', 'hi'), token);
    expect(answer).toMatchObject({ errcode: 0, invaliduser: 'ghost' });
    expect(f.sim.wecom.received('ZhangSan')).toHaveLength(1);
    expect(f.sim.wecom.received('lisi')).toHaveLength(1);
  });

  it('answers 81013 with invaliduser when every recipient is invalid, including removed members', async () => {
    f.sim.wecom.removeUser(corpId, 'lisi');
    const answer = await f.api.send(textTo('lisi|Nobody', 'hi'), token);
    expect(answer).toMatchObject({ errcode: 81013, invaliduser: 'lisi|nobody' });
  });

  it('expands toparty to the department subtree and @all to every member', async () => {
    await f.api.send({ toparty: '2', msgtype: 'text', text: { content: 'dept' } }, token);
    expect(f.sim.wecom.received('ZhangSan')).toHaveLength(1);
    expect(f.sim.wecom.received('lisi')).toHaveLength(0);
    await f.api.send(textTo('@all', 'all'), token);
    expect(f.sim.wecom.received('lisi')).toHaveLength(1);
    expect(f.sim.wecom.received('ZhangSan')).toHaveLength(2);
  });

  it('validates content: empty 44004, over 2048 bytes 45002, unknown msgtype 40008, no recipient 82001', async () => {
    expect((await f.api.send(textTo('lisi', ''), token)).errcode).toBe(44004);
    expect((await f.api.send(textTo('lisi', '字'.repeat(683)), token)).errcode).toBe(45002); // 2049 bytes
    expect((await f.api.send(textTo('lisi', 'a'.repeat(2048)), token)).errcode).toBe(0);
    expect((await f.api.send({ touser: 'lisi', msgtype: 'smoke', smoke: {} }, token)).errcode).toBe(40008);
    expect((await f.api.send({ msgtype: 'text', text: { content: 'x' } }, token)).errcode).toBe(82001);
    expect((await f.api.send({ ...textTo('lisi', 'x'), agentid: undefined }, token)).errcode).toBe(41011);
    expect((await f.api.post('/cgi-bin/message/send', { access_token: token }, '{not json')).errcode).toBe(40058);
  });

  it('does not deliver an identical body again within duplicate_check_interval but answers errcode 0', async () => {
    const body = textTo('lisi', '同一条', { enable_duplicate_check: 1, duplicate_check_interval: 600 });
    expect((await f.api.send(body, token)).errcode).toBe(0);
    f.clock.advance(599 * 1000);
    expect((await f.api.send(body, token)).errcode).toBe(0);
    expect(f.sim.wecom.received('lisi')).toHaveLength(1);
    expect(f.sim.wecom.dropped('lisi').map((m) => m.reason)).toEqual(['duplicate']);
    f.clock.advance(1000);
    await f.api.send(body, token);
    expect(f.sim.wecom.received('lisi')).toHaveLength(2);
  });

  it('uses 1800 s as the default duplicate interval and ignores duplicates when the check is off', async () => {
    const checked = textTo('lisi', 'x', { enable_duplicate_check: 1 });
    await f.api.send(checked, token);
    f.clock.advance(1799 * 1000);
    await f.api.send(checked, token);
    expect(f.sim.wecom.received('lisi')).toHaveLength(1);
    f.clock.advance(1000);
    await f.api.send(checked, token);
    expect(f.sim.wecom.received('lisi')).toHaveLength(2);
    await f.api.send(textTo('lisi', 'y'), token);
    await f.api.send(textTo('lisi', 'y'), token);
    expect(f.sim.wecom.received('lisi')).toHaveLength(4);
  });

  it('silently drops a member\'s 31st message within a minute and delivers again once the minute has passed', async () => {
    for (let i = 1; i <= 31; i += 1) {
      const answer = await f.api.send(textTo('lisi', `第${i}条`), token);
      expect(answer.errcode).toBe(0);
    }
    expect(f.sim.wecom.received('lisi')).toHaveLength(30);
    expect(f.sim.wecom.dropped('lisi')).toEqual([expect.objectContaining({ content: '第31条', reason: 'per-minute-cap' })]);
    // The cap is per member: another member still receives.
    await f.api.send(textTo('ZhangSan', 'other'), token);
    expect(f.sim.wecom.received('ZhangSan')).toHaveLength(1);
    f.clock.advance(60 * 1000);
    await f.api.send(textTo('lisi', 'after a minute'), token);
    expect(f.sim.wecom.received('lisi').at(-1)?.content).toBe('after a minute');
  });

  it('counts the per-member cap per app', async () => {
    for (let i = 0; i < 30; i += 1) await f.api.send(textTo('lisi', `a${i}`), token);
    const other = await f.api.token('app-secret-1000003');
    await f.api.send({ ...textTo('lisi', 'from the other app'), agentid: 1000003 }, other);
    expect(f.sim.wecom.received('lisi')).toHaveLength(31);
  });

  it('silently drops beyond 1000 messages an hour to one member, paced under the minute cap', async () => {
    for (let i = 0; i < 1001; i += 1) {
      if (i > 0 && i % 30 === 0) f.clock.advance(60 * 1000);
      await f.api.send(textTo('lisi', `m${i}`), token);
    }
    // 1001 sends over 34 minutes: the last one is over the hour cap.
    expect(f.sim.wecom.received('lisi')).toHaveLength(1000);
    expect(f.sim.wecom.dropped('lisi').map((m) => m.reason)).toEqual(['per-hour-cap']);
    f.clock.advance(3600 * 1000);
    await f.api.send(textTo('lisi', 'next hour'), token);
    expect(f.sim.wecom.received('lisi')).toHaveLength(1001);
  });
});
