import { createHash } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createManualClock } from '../clock';
import { startSimulator } from '../simulator';
import { startCallbackReceiver } from '../testing/callback-receiver';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
});

const chatId = 'wrkGroupHR01';
const robotKey = 'robot-key-0001';

async function setup() {
  const receiver = await startCallbackReceiver(() => ({ body: '' }));
  const clock = createManualClock(new Date('2026-03-02T09:00:00+08:00'));
  const sim = await startSimulator({ clock, aibot: { timing: { timeoutMs: 500, retryIntervalMs: 10, streamRefreshIntervalMs: 10 } } });
  cleanups.push(receiver.stop, () => sim.stop());
  sim.wecom.addCorp({ corpId: 'wwgroup000000001', apps: [{ agentId: 1000002, secret: 's' }], callbackToken: 'QDG6eK', encodingAesKey: 'jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C' });
  sim.wecom.addUser('wwgroup000000001', { userid: 'hr01', name: '王HR', department: [1] });
  sim.wecom.addRobot({ key: robotKey, chatName: '招聘通知群' });
  sim.aibot.addBot({
    botId: 'bot-callback',
    secret: 'x',
    name: '招聘助手',
    token: 'QDG6eK',
    encodingAesKey: 'jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C',
    callbackUrl: receiver.url,
  });
  sim.aibot.addBot({ botId: 'bot-ws', secret: 'ws-secret', name: '长连接助手' });
  sim.aibot.addGroup(chatId);
  const pageOf = async (id: string) => {
    const response = await fetch(`${sim.url}/groups/wecom/${encodeURIComponent(id)}`);
    return { status: response.status, html: await response.text() };
  };
  const mention = async (form: Record<string, string>, id = chatId) => {
    const response = await fetch(`${sim.url}/groups/wecom/${encodeURIComponent(id)}/mention`, { method: 'POST', body: new URLSearchParams(form), redirect: 'manual' });
    return { status: response.status, location: decodeURIComponent(response.headers.get('location') ?? '') };
  };
  const webhook = (body: unknown) => fetch(`${sim.url}/cgi-bin/webhook/send?key=${robotKey}`, { method: 'POST', body: JSON.stringify(body) }).then((r) => r.json() as Promise<{ errcode: number }>);
  return { sim, clock, receiver, pageOf, mention, webhook };
}

describe('WeCom group page /groups/wecom/:chatId', () => {
  it('@-mentions a callback-mode bot and shows its response_url answer, newest first and escaped', async () => {
    const { sim, clock, pageOf, mention } = await setup();
    const sent = await mention({ botId: 'bot-callback', userid: 'hr01', text: '安排张三面试' });
    expect(sent.status).toBe(303);
    expect(sent.location).toContain('回调模式');
    const conversation = await sim.aibot.waitFor(() => sim.aibot.conversations[0]);
    expect(conversation.payload).toMatchObject({ chatid: chatId, chattype: 'group', from: { userid: 'hr01' }, text: { content: '@招聘助手 安排张三面试' } });

    const answer = async (content: string, url: string) =>
      ((await (await fetch(url, { method: 'POST', body: JSON.stringify({ msgtype: 'markdown', markdown: { content } }) })).json()) as { errcode: number }).errcode;
    expect(await answer('**第一条** <script>alert(1)</script>', conversation.responseUrl)).toBe(0);
    clock.advance(1000);
    await mention({ botId: 'bot-callback', userid: 'hr01', text: '再来' });
    const second = await sim.aibot.waitFor(() => sim.aibot.conversations[1]);
    expect(await answer('第二条 [x](javascript:alert(1))', second.responseUrl)).toBe(0);

    const { status, html } = await pageOf(chatId);
    expect(status).toBe(200);
    expect(html.indexOf('第二条')).toBeGreaterThan(0);
    expect(html.indexOf('第二条')).toBeLessThan(html.indexOf('**第一条**'));
    expect(html).toContain('response_url 回复');
    expect(html).not.toContain('<script>');
    expect(html).not.toMatch(/href="javascript:/);
    expect(html).toContain('&lt;script&gt;');
  });

  it('@-mentions a long-connection bot over its socket; its pushes land in the group', async () => {
    const { sim, pageOf, mention } = await setup();
    const socket = new WebSocket(sim.aibot.wsUrl);
    cleanups.push(async () => socket.terminate());
    const frames: Record<string, unknown>[] = [];
    socket.on('message', (data: Buffer) => frames.push(JSON.parse(data.toString('utf8')) as Record<string, unknown>));
    await new Promise((resolve) => socket.once('open', resolve));
    socket.send(JSON.stringify({ cmd: 'aibot_subscribe', headers: { req_id: 'sub-1' }, body: { bot_id: 'bot-ws', secret: 'ws-secret' } }));
    await sim.aibot.waitFor(() => sim.aibot.isConnected('bot-ws'));

    const sent = await mention({ botId: 'bot-ws', userid: 'hr01', text: '今天有哪些面试' });
    expect(sent.location).toContain('长连接');
    const pushed = await sim.aibot.waitFor(() => frames.find((f) => f.cmd === 'aibot_msg_callback'));
    expect(pushed.body).toMatchObject({ chatid: chatId, chattype: 'group', text: { content: '@长连接助手 今天有哪些面试' } });

    socket.send(JSON.stringify({ cmd: 'aibot_send_msg', headers: { req_id: 'send-1' }, body: { chatid: chatId, msgtype: 'markdown', markdown: { content: '今天 3 场面试' } } }));
    await sim.aibot.waitFor(() => sim.aibot.chat(chatId).length > 0);
    const { html } = await pageOf(chatId);
    expect(html).toContain('今天 3 场面试');
    expect(html).toContain('主动推送');
  });

  it('shows webhook robot messages by robot key, newest first, escaped and without a mention form', async () => {
    const { clock, pageOf, webhook } = await setup();
    expect((await webhook({ msgtype: 'text', text: { content: '早上好 <script>x</script>', mentioned_list: ['hr01'] } })).errcode).toBe(0);
    clock.advance(1000);
    const card = { card_type: 'text_notice', main_title: { title: '<b>面试日程</b>' }, card_action: { type: 1, url: 'javascript:alert(1)' } };
    expect((await webhook({ msgtype: 'template_card', template_card: card })).errcode).toBe(0);
    const { status, html } = await pageOf(robotKey);
    expect(status).toBe(200);
    expect(html).toContain('招聘通知群');
    expect(html.indexOf('面试日程')).toBeLessThan(html.indexOf('早上好'));
    expect(html).toContain('@hr01');
    expect(html).not.toContain('<script>');
    expect(html).not.toContain('<b>');
    expect(html).not.toMatch(/href="javascript:/);
    expect(html).not.toContain('/mention');
  });

  it('shows a button card as clickable buttons and an uploaded image; a click sends WeCom’s template_card_event', async () => {
    const { sim, pageOf } = await setup();
    const socket = new WebSocket(sim.aibot.wsUrl);
    cleanups.push(async () => socket.terminate());
    const frames: Record<string, unknown>[] = [];
    socket.on('message', (data: Buffer) => frames.push(JSON.parse(data.toString('utf8')) as Record<string, unknown>));
    await new Promise((resolve) => socket.once('open', resolve));
    const request = async (cmd: string, reqId: string, body: Record<string, unknown>) => {
      socket.send(JSON.stringify({ cmd, headers: { req_id: reqId }, body }));
      return sim.aibot.waitFor(() => frames.find((f) => (f.headers as { req_id?: string }).req_id === reqId));
    };
    expect(await request('aibot_subscribe', 'sub-2', { bot_id: 'bot-ws', secret: 'ws-secret' })).toMatchObject({ errcode: 0 });

    const card = { card_type: 'button_interaction', main_title: { title: '确认取消？' }, task_id: 'task_001', button_list: [{ text: '确认取消', style: 3, key: 'hb1.yes' }, { text: '不取消', style: 2, key: 'hb1.no' }] };
    expect(await request('aibot_send_msg', 'send-card', { chatid: chatId, msgtype: 'template_card', template_card: card })).toMatchObject({ errcode: 0 });
    // task_id may not repeat for a bot; a button card needs keys.
    expect(await request('aibot_send_msg', 'send-again', { chatid: chatId, msgtype: 'template_card', template_card: card })).toMatchObject({ errcode: 40058 });
    expect(await request('aibot_send_msg', 'send-bad', { chatid: chatId, msgtype: 'template_card', template_card: { ...card, task_id: 'task_002', button_list: [{ text: 'x' }] } })).toMatchObject({ errcode: 40058 });

    const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]);
    const md5 = createHash('md5').update(png).digest('hex');
    const init = await request('aibot_upload_media_init', 'up-1', { type: 'image', filename: 'chart.png', total_size: png.length, total_chunks: 1, md5 });
    const uploadId = (init.body as { upload_id: string }).upload_id;
    expect(await request('aibot_upload_media_chunk', 'up-2', { upload_id: uploadId, chunk_index: 0, base64_data: png.toString('base64') })).toMatchObject({ errcode: 0 });
    const finished = await request('aibot_upload_media_finish', 'up-3', { upload_id: uploadId });
    const mediaId = (finished.body as { media_id: string }).media_id;
    expect(await request('aibot_send_msg', 'send-img', { chatid: chatId, msgtype: 'image', image: { media_id: mediaId } })).toMatchObject({ errcode: 0 });
    expect(await request('aibot_send_msg', 'send-img-bad', { chatid: chatId, msgtype: 'image', image: { media_id: 'nope' } })).toMatchObject({ errcode: 40058 });

    const { html } = await pageOf(chatId);
    expect(html).toContain(`/groups/wecom/${chatId}/click`);
    expect(html).toContain('value="hb1.yes"');
    expect(html).toContain(`src="/groups/wecom-media/${encodeURIComponent(mediaId)}"`);
    const image = await fetch(`${sim.url}/groups/wecom-media/${encodeURIComponent(mediaId)}`);
    expect(image.headers.get('content-type')).toBe('image/png');
    expect(Buffer.from(await image.arrayBuffer())).toEqual(png);

    const clicked = await fetch(`${sim.url}/groups/wecom/${chatId}/click`, { method: 'POST', body: new URLSearchParams({ userid: 'hr01', key: 'hb1.yes' }), redirect: 'manual' });
    expect(decodeURIComponent(clicked.headers.get('location') ?? '')).toContain('已点击“确认取消”');
    const event = await sim.aibot.waitFor(() => frames.find((f) => f.cmd === 'aibot_event_callback'));
    expect(event.body).toMatchObject({
      chatid: chatId, chattype: 'group', from: { userid: 'hr01' }, msgtype: 'event',
      event: { eventtype: 'template_card_event', template_card_event: { card_type: 'button_interaction', event_key: 'hb1.yes', task_id: 'task_001' } },
    });
    const refused = await fetch(`${sim.url}/groups/wecom/${chatId}/click`, { method: 'POST', body: new URLSearchParams({ userid: 'hr01', key: 'hb1.forged' }), redirect: 'manual' });
    expect(decodeURIComponent(refused.headers.get('location') ?? '')).toContain('群里没有这个按钮');
  });

  it('creates a group from the index form; unknown ids give 404', async () => {
    const { sim, pageOf, mention } = await setup();
    expect((await pageOf('wrkUnknown')).status).toBe(404);
    expect((await mention({ botId: 'bot-callback', userid: 'hr01', text: 'x' }, 'wrkUnknown')).status).toBe(404);
    const created = await fetch(`${sim.url}/groups/wecom`, { method: 'POST', body: new URLSearchParams({ chatId: 'wrkNew01' }), redirect: 'manual' });
    expect(created.status).toBe(303);
    expect((await pageOf('wrkNew01')).status).toBe(200);
    expect((await mention({ botId: 'bot-ws', userid: 'hr01', text: 'x' })).location).toContain('没有在线的长连接');
  });
});
