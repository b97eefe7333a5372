import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type WecomFixture, agentId, buttonCard, startWecomFixture } from '../testing/wecom-fixture';

describe('WeCom template cards', () => {
  let f: WecomFixture;
  let token: string;
  beforeEach(async () => {
    f = await startWecomFixture();
    token = await f.api.token();
  });
  afterEach(() => f.stop());

  const update = (body: Record<string, unknown>) =>
    f.api.post('/cgi-bin/message/update_template_card', { access_token: token }, { agentid: agentId, ...body });

  it('answers a response_code for an interactive card and shows the card with its buttons', async () => {
    const answer = await f.api.send(buttonCard('ZhangSan|lisi', 'interview_42'), token);
    expect(answer.errcode).toBe(0);
    expect(typeof answer.response_code).toBe('string');
    const card = f.sim.wecom.received('ZhangSan')[0]?.card;
    expect(card).toMatchObject({ cardType: 'button_interaction', taskId: 'interview_42', title: '面试时间确认' });
    expect(card?.buttons.map((b) => b.key)).toEqual(['accept', 'reschedule']);
  });

  it('answers no response_code for a text_notice card', async () => {
    const answer = await f.api.send(
      { touser: 'lisi', msgtype: 'template_card', template_card: { card_type: 'text_notice', main_title: { title: '通知' } } },
      token,
    );
    expect(answer.errcode).toBe(0);
    expect(answer).not.toHaveProperty('response_code');
  });

  it('requires a task_id matching [0-9a-zA-Z_-@]{1,128} (42014) and unique per app (40058)', async () => {
    expect((await f.api.send(buttonCard('lisi', 'has space'), token)).errcode).toBe(42014);
    expect((await f.api.send(buttonCard('lisi', 'x'.repeat(129)), token)).errcode).toBe(42014);
    const noTask = buttonCard('lisi', 'x');
    delete (noTask.template_card as { task_id?: string }).task_id;
    expect((await f.api.send(noTask, token)).errcode).toBe(42014);
    expect((await f.api.send(buttonCard('lisi', 'a-b_c@1'), token)).errcode).toBe(0);
    expect((await f.api.send(buttonCard('lisi', 'a-b_c@1'), token)).errcode).toBe(40058);
    const other = await f.api.token('app-secret-1000003');
    expect((await f.api.send({ ...buttonCard('lisi', 'a-b_c@1'), agentid: 1000003 }, other)).errcode).toBe(0);
  });

  it('greys out the card with button.replace_name and accepts each response_code only once', async () => {
    const sent = await f.api.send(buttonCard('ZhangSan|lisi', 'task1'), token);
    const first = await update({ userids: ['ZhangSan'], response_code: sent.response_code, button: { replace_name: '已接受' } });
    expect(first).toMatchObject({ errcode: 0, invaliduser: [] });
    expect(f.sim.wecom.received('ZhangSan')[0]?.card?.replaceName).toBe('已接受');
    expect(f.sim.wecom.received('lisi')[0]?.card?.replaceName).toBeUndefined();
    const again = await update({ userids: ['lisi'], response_code: sent.response_code, button: { replace_name: 'x' } });
    expect(again.errcode).toBe(40058);
  });

  it('refuses a response_code after 24 hours', async () => {
    const sent = await f.api.send(buttonCard('lisi', 'task2'), token);
    f.clock.advance(24 * 3600 * 1000);
    const body = { userids: ['lisi'], response_code: sent.response_code, button: { replace_name: '已处理' } };
    token = await f.api.token(); // the old token expired long ago
    expect((await update(body)).errcode).toBe(40058);
  });

  it('accepts a response_code just inside 24 hours and replaces the whole card', async () => {
    const sent = await f.api.send(buttonCard('lisi', 'task3'), token);
    f.clock.advance(24 * 3600 * 1000 - 1000);
    token = await f.api.token();
    const answer = await update({
      userids: ['lisi'],
      response_code: sent.response_code,
      template_card: {
        card_type: 'button_interaction',
        main_title: { title: '已改期' },
        button_list: [{ text: '知道了', key: 'ok' }],
      },
    });
    expect(answer.errcode).toBe(0);
    expect(f.sim.wecom.received('lisi')[0]?.card).toMatchObject({ title: '已改期', buttons: [{ key: 'ok', text: '知道了' }] });
  });

  it('refuses an unknown response_code and a response_code of another app', async () => {
    expect((await update({ userids: ['lisi'], response_code: 'made-up', button: { replace_name: 'x' } })).errcode).toBe(40058);
    const sent = await f.api.send(buttonCard('lisi', 'task4'), token);
    const other = await f.api.token('app-secret-1000003');
    const answer = await f.api.post(
      '/cgi-bin/message/update_template_card',
      { access_token: other },
      { agentid: 1000003, userids: ['lisi'], response_code: sent.response_code, button: { replace_name: 'x' } },
    );
    expect(answer.errcode).toBe(40058);
  });

  it('lists members who never got the card in invaliduser', async () => {
    const sent = await f.api.send(buttonCard('lisi', 'task5'), token);
    const answer = await update({ userids: ['lisi', 'ZhangSan'], response_code: sent.response_code, button: { replace_name: '好' } });
    expect(answer).toMatchObject({ errcode: 0, invaliduser: ['zhangsan'] });
  });
});
