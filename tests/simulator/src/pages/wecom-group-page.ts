import { Router } from '@koa/router';
import type { AibotSimulator } from '../wecom-aibot/aibot-simulator';
import type { BotPost } from '../wecom-aibot/state';
import type { RobotMessage } from '../wecom/state';
import type { WecomSimulator } from '../wecom/wecom-simulator';
import { backWith, errorText, escapeHtml, html, linkOrText, newestFirst, noticeOf, notFound, options, pre, readForm, when } from './layout';

const viaLabels: Record<BotPost['via'], string> = {
  stream: '流式回复 stream',
  response_url: 'response_url 回复',
  long_connection_reply: '长连接回复',
  push: '主动推送',
};

/** AI-bot group chats: declared groups and chats the bot posted to (1:1 chats `single:<userid>` excluded). */
export function aibotGroupIds(aibot: AibotSimulator): string[] {
  const ids = new Set(aibot.state.groups);
  for (const p of aibot.state.posts) if (!p.chatKey.startsWith('single:')) ids.add(p.chatKey);
  return [...ids];
}

function cardOf(body: Record<string, unknown>): Record<string, unknown> | undefined {
  const card = body.template_card ?? (body.stream_with_template_card as Record<string, unknown> | undefined)?.template_card;
  return typeof card === 'object' && card !== null ? (card as Record<string, unknown>) : undefined;
}

/** Where a button click is posted from the page, and who may be chosen as the clicker; absent → buttons are shown only. */
interface ClickForm {
  readonly action: string;
  readonly members: readonly { userid: string; name: string }[];
}

function renderCard(card: Record<string, unknown>, click?: ClickForm): string {
  const main = (card.main_title ?? {}) as { title?: unknown; desc?: unknown };
  const action = (card.card_action ?? {}) as { url?: unknown };
  const buttons = Array.isArray(card.button_list) ? (card.button_list as { text?: unknown; key?: unknown }[]) : [];
  const clickable = click && card.card_type === 'button_interaction';
  const button = (b: { text?: unknown; key?: unknown }) =>
    clickable && typeof b.key === 'string'
      ? `<form class="inline" method="post" action="${escapeHtml(click.action)}"><input type="hidden" name="key" value="${escapeHtml(b.key)}">` +
        `<select name="userid" title="点击人 Clicked by">${options(click.members.map((m) => ({ value: m.userid, label: `${m.name}（${m.userid}）` })))}</select>` +
        `<button type="submit" class="btn">${escapeHtml(b.text ?? '')}</button></form>`
      : `<span class="btn">${escapeHtml(b.text ?? '')}</span>`;
  return (
    `<h3>${escapeHtml(main.title ?? '（无标题）')}</h3>` +
    (main.desc === undefined ? '' : `<p>${escapeHtml(main.desc)}</p>`) +
    (card.sub_title_text === undefined ? '' : pre(card.sub_title_text)) +
    (buttons.length ? `<div class="buttons">${buttons.map(button).join('')}</div>` : '') +
    (action.url === undefined ? '' : linkOrText(action.url, '查看详情'))
  );
}

/** A proactive image (uploaded media): shown from the simulator's media store. */
function renderImage(body: Record<string, unknown>): string {
  const mediaId = (body.image as { media_id?: unknown } | undefined)?.media_id;
  return typeof mediaId === 'string' ? `<img class="chart" alt="图片 image" src="/groups/wecom-media/${encodeURIComponent(mediaId)}">` : '';
}

function renderPost(p: BotPost, botName: string, click?: ClickForm): string {
  const meta = `<div class="meta">智能机器人 ${escapeHtml(botName)} · ${escapeHtml(viaLabels[p.via])} · ${escapeHtml(p.msgtype)} · ${escapeHtml(when(p.at))}</div>`;
  const card = cardOf(p.body);
  const inner = (p.content === undefined ? '' : pre(p.content)) + (card ? renderCard(card, click) : '') + (p.msgtype === 'image' ? renderImage(p.body) : '');
  return `<div class="msg">${meta}${inner || pre(JSON.stringify(p.body, null, 2))}</div>`;
}

function renderRobot(m: RobotMessage, chatName: string): string {
  const meta = `<div class="meta">群机器人 ${escapeHtml(chatName)} · ${escapeHtml(m.msgtype)} · ${escapeHtml(when(m.receivedAt))}</div>`;
  const mentions = m.mentionedList.length ? `<p class="meta">提醒：${m.mentionedList.map((u) => `@${escapeHtml(u)}`).join(' ')}</p>` : '';
  const card = m.msgtype === 'template_card' ? cardOf(m.payload) ?? m.payload : undefined;
  const inner = m.content !== undefined ? pre(m.content) : card ? renderCard(card) : pre(JSON.stringify(m.payload, null, 2));
  return `<div class="msg">${meta}${inner}${mentions}</div>`;
}

/**
 * `/groups/wecom/:chatId`: an HR group chat — what the AI bot (智能机器人) and a webhook robot (群机器人, by key)
 * posted, newest first — and a form to @-mention the AI bot there.
 */
export function wecomGroupPageRouter(wecom: WecomSimulator, aibot: AibotSimulator): Router {
  const router = new Router();
  const pathOf = (id: string) => `/groups/wecom/${encodeURIComponent(id)}`;

  // Declares a new simulated group, so HR can @-mention the bot before it ever posted there.
  router.post('/groups/wecom', async (ctx) => {
    const chatId = ((await readForm(ctx)).get('chatId') ?? '').trim();
    if (!/^[A-Za-z0-9_\-@.]{1,64}$/.test(chatId)) return backWith(ctx, '/', '群 chatid 只能包含字母、数字和 _-@.（最多 64 个）');
    aibot.addGroup(chatId);
    backWith(ctx, pathOf(chatId), '已创建群聊');
  });

  router.get('/groups/wecom/:chatId', (ctx) => {
    const id = ctx.params.chatId ?? '';
    const isAibotGroup = aibotGroupIds(aibot).includes(id);
    const robot = wecom.state.robots.get(id);
    if (!isAibotGroup && !robot) return notFound(ctx, '该群聊');
    const botName = (botId: string) => aibot.state.bots.get(botId)?.name ?? '招聘助手';
    const members = [...wecom.state.corps.values()].flatMap((c) => [...c.members.values()].map((m) => ({ userid: m.userid, name: m.name })));
    const click: ClickForm = { action: `${pathOf(id)}/click`, members };
    const items = [
      ...(isAibotGroup ? aibot.chat(id).map((p) => ({ at: p.at, html: renderPost(p, botName(p.botId), click) })) : []),
      ...(robot ? wecom.robotMessages(id).map((m) => ({ at: m.receivedAt, html: renderRobot(m, robot.chatName) })) : []),
    ];
    const list = newestFirst(items, (i) => i.at)
      .map((i) => i.html)
      .join('');
    const bots = [...aibot.state.bots.values()];
    let form: string;
    if (!isAibotGroup) {
      form = '<p class="muted">这是群机器人（Webhook）的群：它只能发消息，不能被 @。要 @ 智能机器人，请在首页新建群聊。</p>';
    } else if (bots.length === 0) {
      form = '<p class="muted">暂无智能机器人，无法 @。</p>';
    } else {
      form =
        `<form class="action" method="post" action="${escapeHtml(`${pathOf(id)}/mention`)}"><strong>@ 机器人 <small class="muted">Mention the AI bot</small></strong>` +
        `<label>机器人<select name="botId">${options(bots.map((b) => ({ value: b.botId, label: `@${b.name ?? '招聘助手'}（${b.botId}）` })))}</select></label>` +
        `<label>发送人 userid<input name="userid" list="members" required value="${escapeHtml(members[0]?.userid ?? '')}"></label>` +
        `<datalist id="members">${members.map((m) => `<option value="${escapeHtml(m.userid)}">${escapeHtml(m.name)}</option>`).join('')}</datalist>` +
        `<label>内容<textarea name="text" rows="3" required></textarea></label><button type="submit">发送</button></form>`;
    }
    const title = robot ? `${robot.chatName}` : `群聊 ${id}`;
    html(
      ctx,
      title,
      `<h1>${escapeHtml(title)} <small>WeCom group chat</small></h1>${noticeOf(ctx)}${form}` +
        `<h2>群消息 <small>Posted by bots, newest first</small></h2>${list || '<p>暂无消息</p>'}`,
    );
  });

  router.post('/groups/wecom/:chatId/mention', async (ctx) => {
    const id = ctx.params.chatId ?? '';
    if (!aibotGroupIds(aibot).includes(id)) return notFound(ctx, '该群聊');
    const form = await readForm(ctx);
    const botId = form.get('botId') ?? '';
    const userid = (form.get('userid') ?? '').trim();
    const text = form.get('text') ?? '';
    let notice: string;
    try {
      const bot = aibot.state.bot(botId);
      if (userid === '' || text.trim() === '') throw new Error('发送人和内容不能为空');
      if (bot.callbackUrl && bot.token && bot.encodingAesKey) {
        // Callback mode: the message, then stream refreshes until the bot finishes — answer the page now.
        aibot.mention({ botId, userid, chatId: id, text }).catch((error: unknown) => console.error('AI bot mention failed', error));
        notice = '已 @ 机器人（回调模式），等待回复后刷新页面';
      } else if (aibot.isConnected(botId)) {
        aibot.push(botId, { userid, chatId: id, text });
        notice = '已 @ 机器人（长连接），等待回复后刷新页面';
      } else {
        notice = '该机器人既未配置回调 URL，也没有在线的长连接';
      }
    } catch (error) {
      notice = `操作失败：${errorText(error)}`;
    }
    backWith(ctx, pathOf(id), notice);
  });

  // A member clicks a card button: WeCom's template_card_event, sent the way the bot is configured (callback or long connection).
  router.post('/groups/wecom/:chatId/click', async (ctx) => {
    const id = ctx.params.chatId ?? '';
    if (!aibotGroupIds(aibot).includes(id)) return notFound(ctx, '该群聊');
    const form = await readForm(ctx);
    const userid = (form.get('userid') ?? '').trim();
    const key = form.get('key') ?? '';
    let notice: string;
    try {
      if (userid === '' || key === '') throw new Error('点击人和按钮不能为空');
      const button = aibot.findButton(id, { key });
      if (!button) throw new Error('群里没有这个按钮');
      const bot = aibot.state.bot(button.botId);
      if (!(bot.callbackUrl && bot.token && bot.encodingAesKey) && !aibot.isConnected(button.botId)) throw new Error('该机器人既未配置回调 URL，也没有在线的长连接');
      aibot.clickButton({ chatId: id, userid, key }).catch((error: unknown) => console.error('AI bot card click failed', error));
      notice = `已点击“${button.text}”，等待回复后刷新页面`;
    } catch (error) {
      notice = `操作失败：${errorText(error)}`;
    }
    backWith(ctx, pathOf(id), notice);
  });

  // Media the bot uploaded (images it sent), for the chat page.
  router.get('/groups/wecom-media/:mediaId', (ctx) => {
    const media = aibot.state.media.get(ctx.params.mediaId ?? '');
    if (!media) return notFound(ctx, '该图片');
    ctx.type = media.type === 'image' ? 'image/png' : 'application/octet-stream';
    ctx.body = media.bytes;
  });

  return router;
}
