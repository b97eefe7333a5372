import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type WecomFixture, startWecomFixture } from '../testing/wecom-fixture';

describe('WeCom group robot webhook/send', () => {
  let f: WecomFixture;
  beforeEach(async () => {
    f = await startWecomFixture();
    f.sim.wecom.addRobot({ key: 'robot-key-1', chatName: '招聘群' });
  });
  afterEach(() => f.stop());

  const send = (body: unknown, key = 'robot-key-1') => f.api.post('/cgi-bin/webhook/send', { key }, body);

  it('posts text, markdown and notice cards to the group', async () => {
    expect(await send({ msgtype: 'text', text: { content: '新候选人', mentioned_list: ['lisi'] } })).toEqual({
      errcode: 0,
      errmsg: 'ok',
    });
    await send({ msgtype: 'markdown', markdown: { content: '# 今日面试' } });
    await send({ msgtype: 'template_card', template_card: { card_type: 'text_notice', main_title: { title: '提醒' } } });
    const got = f.sim.wecom.robotMessages('robot-key-1');
    expect(got.map((m) => m.msgtype)).toEqual(['text', 'markdown', 'template_card']);
    expect(got[0]).toMatchObject({ content: '新候选人', mentionedList: ['lisi'] });
  });

  it('answers 93000 for an unknown key and refuses interactive cards', async () => {
    expect((await send({ msgtype: 'text', text: { content: 'x' } }, 'nope')).errcode).toBe(93000);
    const card = { msgtype: 'template_card', template_card: { card_type: 'button_interaction', task_id: 't' } };
    expect((await send(card)).errcode).toBe(40058);
  });

  it('refuses the 21st message in a minute with 45009, delivers nothing for it, and recovers after the minute', async () => {
    const codes: number[] = [];
    for (let i = 0; i < 21; i += 1) codes.push((await send({ msgtype: 'text', text: { content: `m${i}` } })).errcode);
    expect(codes.slice(0, 20).every((c) => c === 0)).toBe(true);
    expect(codes[20]).toBe(45009);
    expect(f.sim.wecom.robotMessages('robot-key-1')).toHaveLength(20);
    f.clock.advance(60 * 1000);
    expect((await send({ msgtype: 'text', text: { content: 'later' } })).errcode).toBe(0);
  });
});
