import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startCallbackReceiver } from '../testing/callback-receiver';
import { type WecomFixture, buttonCard, corpId, startWecomFixture, textTo } from '../testing/wecom-fixture';

describe('simulated member page', () => {
  let f: WecomFixture;
  let receiver: Awaited<ReturnType<typeof startCallbackReceiver>>;
  beforeEach(async () => {
    receiver = await startCallbackReceiver(() => ({}));
    f = await startWecomFixture({ callbackUrl: receiver.url });
  });
  afterEach(async () => {
    await f.stop();
    await receiver.stop();
  });

  const pageOf = async (userid: string) => {
    const response = await fetch(`${f.sim.url}/people/wecom/${corpId}/${userid}`);
    return { status: response.status, type: response.headers.get('content-type'), html: await response.text() };
  };

  it('shows received messages newest first with Chinese labels', async () => {
    await f.api.send(textTo('lisi', '第一条'));
    await f.api.send({ touser: 'lisi', msgtype: 'markdown', markdown: { content: '**第二条**' } });
    await f.api.send(buttonCard('lisi', 'task_page'));
    const { status, type, html } = await pageOf('lisi');
    expect(status).toBe(200);
    expect(type).toMatch(/text\/html/);
    expect(html).toContain('收到的消息');
    expect(html).toContain('Markdown 原文');
    expect(html.indexOf('面试时间确认')).toBeLessThan(html.indexOf('**第二条**'));
    expect(html.indexOf('**第二条**')).toBeLessThan(html.indexOf('第一条'));
    expect(html).toContain('<button type="submit">接受</button>');
  });

  it('escapes everything the system under test sent', async () => {
    await f.api.send(textTo('lisi', '<script>alert(1)</script>'));
    await f.api.send({
      touser: 'lisi',
      msgtype: 'textcard',
      textcard: { title: '<b>t</b>', description: '"d"', url: 'javascript:alert(1)', btntxt: '看' },
    });
    await f.api.send({
      touser: 'lisi',
      msgtype: 'template_card',
      template_card: {
        card_type: 'button_interaction',
        task_id: 'xss',
        main_title: { title: '<img src=x onerror=alert(1)>' },
        button_list: [{ text: '<i>ok</i>', key: '"><script>' }],
      },
    });
    const { html } = await pageOf('lisi');
    expect(html).not.toContain('<script>');
    expect(html).not.toContain('<img');
    expect(html).not.toContain('<b>t</b>');
    expect(html).not.toContain('javascript:');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('value="&quot;&gt;&lt;script&gt;"');
  });

  it('turns a card button press into a template_card_event callback', async () => {
    await f.api.send(buttonCard('lisi', 'task_click'));
    const response = await fetch(`${f.sim.url}/people/wecom/${corpId}/lisi/click`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ taskId: 'task_click', key: 'accept' }).toString(),
      redirect: 'manual',
    });
    expect(response.status).toBe(303);
    expect(decodeURIComponent(response.headers.get('location') ?? '')).toContain('已点击');
    await expect.poll(() => receiver.requests.length).toBe(1);
  });

  it('answers 404 for an unknown member', async () => {
    expect((await pageOf('ghost')).status).toBe(404);
  });
});
