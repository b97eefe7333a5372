import { Router } from '@koa/router';
import type { DingtalkSimulator } from '../dingtalk/dingtalk-simulator';
import type { DingtalkDelivered } from '../dingtalk/state';
import { backWith, errorText, escapeHtml, html, linkOrText, newestFirst, noticeOf, notFound, options, pre, readForm, when } from './layout';

const viaLabels: Record<DingtalkDelivered['via'], string> = {
  groupMessages: '机器人群消息',
  oToMessages: '机器人单聊',
  sessionWebhook: '会话回复 sessionWebhook',
  customRobot: '自定义机器人',
  interactiveCard: '互动卡片',
};

const str = (v: unknown) => (typeof v === 'string' ? v : v === undefined || v === null ? '' : JSON.stringify(v));

/** Buttons of an actionCard: sampleActionCard (single), sampleActionCard2..6 (actionTitleN/actionURLN or buttonTitleN/buttonUrlN), webhook btns. */
function actionButtons(p: Record<string, unknown>): { title: unknown; url: unknown }[] {
  const buttons: { title: unknown; url: unknown }[] = [];
  if (p.singleTitle !== undefined || p.singleURL !== undefined) buttons.push({ title: p.singleTitle ?? '查看', url: p.singleURL });
  for (let n = 1; n <= 6; n++) {
    if (p[`actionTitle${n}`] !== undefined) buttons.push({ title: p[`actionTitle${n}`], url: p[`actionURL${n}`] ?? p[`actionUrl${n}`] });
    if (p[`buttonTitle${n}`] !== undefined) buttons.push({ title: p[`buttonTitle${n}`], url: p[`buttonUrl${n}`] ?? p[`buttonURL${n}`] });
  }
  if (Array.isArray(p.btns)) for (const b of p.btns as Record<string, unknown>[]) buttons.push({ title: b.title, url: b.actionURL });
  return buttons;
}

const mediaPath = (mediaId: string) => `/media/dingtalk/${encodeURIComponent(mediaId)}`;

/** How a page shows cards and images: where a button click is posted (groups) and who may click. */
interface RenderContext {
  readonly dingtalk: DingtalkSimulator;
  readonly clickPath?: string;
  /** A 1:1 chat: only its owner sees the card, so the buttons click as them (no clicker to choose). */
  readonly clicker?: string;
}

/** An interactive card as the chat shows it: title, body, status and its callback buttons (forms that click as a user). */
function renderCard(outTrackId: string, r: RenderContext): string {
  const card = r.dingtalk.card(outTrackId);
  if (!card) return pre(`互动卡片 ${outTrackId}（不存在）`);
  const p = card.cardParamMap;
  const buttons = r.dingtalk.cardButtons(outTrackId);
  const users = [...r.dingtalk.state.users.values()];
  const status = p.status ? `<p class="status"><strong>${escapeHtml(p.status)}</strong></p>` : '';
  const forms =
    buttons.length === 0 || !r.clickPath
      ? ''
      : `<div class="buttons">${buttons
          .map(
            (b) =>
              `<form class="action inline" method="post" action="${escapeHtml(r.clickPath!)}">` +
              `<input type="hidden" name="outTrackId" value="${escapeHtml(outTrackId)}"><input type="hidden" name="key" value="${escapeHtml(b.key)}">` +
              (r.clicker !== undefined
                ? `<input type="hidden" name="userId" value="${escapeHtml(r.clicker)}">`
                : `<label>点击人<select name="userId">${options(users.map((u) => ({ value: u.userId, label: `${u.name}（${u.userId}）` })))}</select></label>`) +
              `<button type="submit" class="${escapeHtml(b.style)}" data-key="${escapeHtml(b.key)}">${escapeHtml(b.label)}</button></form>`,
          )
          .join('')}</div>`;
  return (
    `<div class="card" data-out-track-id="${escapeHtml(outTrackId)}"><h3>${escapeHtml(p.title ?? '')}</h3>${pre(p.markdown ?? '')}${status}${forms}` +
    `<div class="meta">模板 ${escapeHtml(card.templateId)} · outTrackId ${escapeHtml(outTrackId)} · 更新 ${card.updates.length} 次</div></div>`
  );
}

function renderDelivered(m: DingtalkDelivered, r: RenderContext): string {
  const meta = `<div class="meta">${escapeHtml(viaLabels[m.via])} · ${escapeHtml(m.msgKey)} · ${escapeHtml(when(m.receivedAt))}</div>`;
  const p = m.msgParam;
  let inner: string;
  if (m.msgKey === 'interactiveCard') {
    inner = renderCard(str(p.outTrackId), r);
  } else if (m.msgKey === 'sampleImageMsg') {
    const photo = str(p.photoURL);
    const media = photo.startsWith('@') ? r.dingtalk.media(photo) : undefined;
    inner = media
      ? `<img class="photo" alt="图片 ${escapeHtml(photo)}" src="${escapeHtml(mediaPath(photo))}" style="max-width:100%"><div class="meta">${escapeHtml(media.contentType)} · ${media.bytes.length} 字节</div>`
      : `<div class="meta">图片</div>${linkOrText(photo, photo)}`;
  } else if (m.msgKey === 'sampleText' || m.msgKey === 'text') {
    inner = pre(str(p.content));
  } else if (m.msgKey === 'sampleMarkdown' || m.msgKey === 'markdown') {
    inner = `<h3>${escapeHtml(str(p.title))}</h3><div class="meta">Markdown 原文</div>${pre(str(p.text))}`;
  } else if (m.msgKey.startsWith('sampleActionCard') || m.msgKey === 'actionCard') {
    const buttons = actionButtons(p);
    inner =
      `<h3>${escapeHtml(str(p.title))}</h3>${pre(str(p.text))}` +
      (buttons.length ? `<div class="buttons">${buttons.map((b) => linkOrText(b.url, str(b.title))).join('')}</div>` : '');
  } else if (m.msgKey === 'sampleLink' || m.msgKey === 'link') {
    inner = `<h3>${escapeHtml(str(p.title))}</h3>${pre(str(p.text))}${linkOrText(p.messageUrl, '打开链接')}`;
  } else if (m.msgKey === 'feedCard' && Array.isArray(p.links)) {
    inner = `<ul class="links">${(p.links as Record<string, unknown>[]).map((l) => `<li>${linkOrText(l.messageURL, str(l.title))}</li>`).join('')}</ul>`;
  } else {
    inner = pre(JSON.stringify(p, null, 2));
  }
  const at = p.at as { atUserIds?: unknown; atMobiles?: unknown; isAtAll?: unknown } | undefined;
  const ats = at
    ? [...(Array.isArray(at.atUserIds) ? at.atUserIds : []), ...(Array.isArray(at.atMobiles) ? at.atMobiles : [])].map((u) => `@${escapeHtml(str(u))}`).join(' ') +
      (at.isAtAll === true ? ' @所有人' : '')
    : '';
  return `<div class="msg">${meta}${inner}${ats.trim() ? `<p class="meta">提醒：${ats}</p>` : ''}</div>`;
}

function list(messages: readonly DingtalkDelivered[], r: RenderContext): string {
  return (
    newestFirst(messages, (m) => m.receivedAt)
      .map((m) => renderDelivered(m, r))
      .join('') || '<p>暂无消息</p>'
  );
}

/**
 * `/people/dingtalk/:userId` (1:1 robot messages; interactive cards there have buttons that click as that user) and
 * `/groups/dingtalk/:conversationId` (group robot messages; a custom robot's access token works too), with forms that
 * reach the app over Stream mode.
 */
export function dingtalkPagesRouter(dingtalk: DingtalkSimulator): Router {
  const router = new Router();
  const userPath = (id: string) => `/people/dingtalk/${encodeURIComponent(id)}`;
  const groupPath = (id: string) => `/groups/dingtalk/${encodeURIComponent(id)}`;
  const appOptions = () => options([...dingtalk.state.apps.values()].map((a) => ({ value: a.appKey, label: `${a.name ?? a.appKey}（${a.appKey}）` })));

  router.get('/people/dingtalk/:userId', (ctx) => {
    const userId = ctx.params.userId ?? '';
    const user = dingtalk.state.users.get(userId);
    if (!user && !dingtalk.state.inboxes.has(userId)) return notFound(ctx, '该钉钉用户');
    const name = user?.name ?? userId;
    const form =
      dingtalk.state.apps.size === 0
        ? '<p class="muted">暂无钉钉应用，无法给机器人发消息。</p>'
        : `<form class="action" method="post" action="${escapeHtml(`${userPath(userId)}/say`)}"><strong>给机器人发消息 <small class="muted">Message the robot</small></strong>` +
          `<label>应用机器人<select name="appKey">${appOptions()}</select></label>` +
          `<label>内容<textarea name="text" rows="3" required></textarea></label><button type="submit">发送</button></form>`;
    html(
      ctx,
      `${name} 的钉钉`,
      `<h1>${escapeHtml(name)}（${escapeHtml(userId)}）<small>DingTalk user</small></h1>${noticeOf(ctx)}${form}` +
        `<h2>机器人消息 <small>Robot messages, newest first</small></h2>${list(dingtalk.received(userId), { dingtalk, clickPath: `${userPath(userId)}/click`, clicker: userId })}`,
    );
  });

  // The user clicks a button of an interactive card in their 1:1 chat with the robot (IM_ROBOT space): the CALLBACK
  // frame goes to the app over Stream mode, as for group cards. Only the card's own user can click it.
  router.post('/people/dingtalk/:userId/click', async (ctx) => {
    const userId = ctx.params.userId ?? '';
    if (!dingtalk.state.users.has(userId)) return notFound(ctx, '该钉钉用户');
    const form = await readForm(ctx);
    const outTrackId = form.get('outTrackId') ?? '';
    const key = form.get('key') ?? '';
    const clicker = (form.get('userId') ?? userId).trim();
    if (clicker !== userId) {
      // Someone else's 1:1 chat: DingTalk never shows them the card, so there is nothing they could click.
      ctx.status = 403;
      ctx.type = 'text/plain; charset=utf-8';
      ctx.body = '单聊卡片只有收到它的人能点击。Only the person a 1:1 card was delivered to can click it.';
      return;
    }
    let notice: string;
    try {
      if (outTrackId === '' || key === '') throw new Error('卡片和按钮不能为空');
      const card = dingtalk.card(outTrackId);
      if (!card || !card.spaces.some((s) => s.type === 'IM_ROBOT' && s.id === userId)) throw new Error('该用户的单聊里没有这张卡片');
      const { messageId } = dingtalk.clickCardButton({ outTrackId, userId, key });
      notice = `已点击，回调 ${messageId} 已通过 Stream 推送给应用；处理后刷新页面`;
    } catch (error) {
      notice = `操作失败：${errorText(error)}`;
    }
    backWith(ctx, userPath(userId), notice);
  });

  router.post('/people/dingtalk/:userId/say', async (ctx) => {
    const userId = ctx.params.userId ?? '';
    if (!dingtalk.state.users.has(userId) && !dingtalk.state.inboxes.has(userId)) return notFound(ctx, '该钉钉用户');
    const form = await readForm(ctx);
    const text = form.get('text') ?? '';
    let notice: string;
    try {
      if (text.trim() === '') throw new Error('内容不能为空');
      dingtalk.userSays({ appKey: form.get('appKey') ?? '', userId, text });
      notice = '已发送，已通过 Stream 推送给应用';
    } catch (error) {
      notice = `操作失败：${errorText(error)}`;
    }
    backWith(ctx, userPath(userId), notice);
  });

  router.get('/groups/dingtalk/:conversationId', (ctx) => {
    const id = ctx.params.conversationId ?? '';
    const group = dingtalk.state.groups.get(id);
    const isGroup = group !== undefined || dingtalk.state.groupInboxes.has(id);
    const robot = dingtalk.state.webhookRobots.get(id);
    if (!isGroup && !robot) return notFound(ctx, '该钉钉群');
    const users = [...dingtalk.state.users.values()];
    let form: string;
    if (!isGroup) {
      form = '<p class="muted">这是自定义机器人（Webhook）的群：它只能发消息，不能被 @。</p>';
    } else if (dingtalk.state.apps.size === 0) {
      form = '<p class="muted">暂无钉钉应用，无法 @ 机器人。</p>';
    } else {
      form =
        `<form class="action" method="post" action="${escapeHtml(`${groupPath(id)}/mention`)}"><strong>@ 机器人 <small class="muted">Mention the robot</small></strong>` +
        `<label>应用机器人<select name="appKey">${appOptions()}</select></label>` +
        `<label>发送人 userId<input name="userId" list="dt-users" required value="${escapeHtml(users[0]?.userId ?? '')}"></label>` +
        `<datalist id="dt-users">${users.map((u) => `<option value="${escapeHtml(u.userId)}">${escapeHtml(u.name)}</option>`).join('')}</datalist>` +
        `<label>同时 @ 的人（userId，逗号分隔，可选）<input name="atUserIds"></label>` +
        `<label>内容<textarea name="text" rows="3" required></textarea></label><button type="submit">发送</button></form>`;
    }
    const title = group?.title ?? robot?.chatName ?? id;
    const messages = [...(isGroup ? dingtalk.groupMessages(id) : []), ...(robot ? dingtalk.webhookMessages(id) : [])];
    html(
      ctx,
      `钉钉群 · ${title}`,
      `<h1>${escapeHtml(title)} <small>DingTalk group</small></h1>${noticeOf(ctx)}${form}` +
        `<h2>群消息 <small>Robot messages, newest first</small></h2>${list(messages, { dingtalk, clickPath: `${groupPath(id)}/click` })}`,
    );
  });

  router.post('/groups/dingtalk/:conversationId/mention', async (ctx) => {
    const id = ctx.params.conversationId ?? '';
    if (!dingtalk.state.groups.has(id) && !dingtalk.state.groupInboxes.has(id)) return notFound(ctx, '该钉钉群');
    const form = await readForm(ctx);
    const text = form.get('text') ?? '';
    const userId = (form.get('userId') ?? '').trim();
    const atUserIds = (form.get('atUserIds') ?? '')
      .split(/[,，\s]+/)
      .filter((s) => s !== '');
    let notice: string;
    try {
      if (text.trim() === '' || userId === '') throw new Error('发送人和内容不能为空');
      dingtalk.groupAtBot({ appKey: form.get('appKey') ?? '', openConversationId: id, userId, text, ...(atUserIds.length ? { atUserIds } : {}) });
      notice = '已 @ 机器人，已通过 Stream 推送给应用';
    } catch (error) {
      notice = `操作失败：${errorText(error)}`;
    }
    backWith(ctx, groupPath(id), notice);
  });

  // A member clicks a button of an interactive card: the card CALLBACK frame goes to the app over Stream mode (re-pushed
  // every 60 s on the simulator's clock until the app answers it). Used by the page's buttons and by tests.
  router.post('/groups/dingtalk/:conversationId/click', async (ctx) => {
    const id = ctx.params.conversationId ?? '';
    if (!dingtalk.state.groups.has(id) && !dingtalk.state.groupInboxes.has(id)) return notFound(ctx, '该钉钉群');
    const form = await readForm(ctx);
    const outTrackId = form.get('outTrackId') ?? '';
    const userId = (form.get('userId') ?? '').trim();
    const key = form.get('key') ?? '';
    let notice: string;
    try {
      if (outTrackId === '' || userId === '' || key === '') throw new Error('卡片、点击人和按钮不能为空');
      const card = dingtalk.card(outTrackId);
      if (!card || !card.spaces.some((s) => s.type === 'IM_GROUP' && s.id === id)) throw new Error('群里没有这张卡片');
      const { messageId } = dingtalk.clickCardButton({ outTrackId, userId, key });
      notice = `已点击，回调 ${messageId} 已通过 Stream 推送给应用；处理后刷新页面`;
    } catch (error) {
      notice = `操作失败：${errorText(error)}`;
    }
    backWith(ctx, groupPath(id), notice);
  });

  // Images the robot sent (uploaded with media/upload), for the chat pages.
  router.get('/media/dingtalk/:mediaId', (ctx) => {
    const media = dingtalk.media(ctx.params.mediaId ?? '');
    if (!media) return notFound(ctx, '该图片');
    ctx.type = media.contentType;
    ctx.body = media.bytes;
  });

  return router;
}
