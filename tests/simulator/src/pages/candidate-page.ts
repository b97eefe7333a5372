import { Router } from '@koa/router';
import type { WechatSimulator } from '../wechat/wechat-simulator';
import type { KfReceived, KfSyncedMessage } from '../wechat/kf';
import type { SubscriptionMessage } from '../wechat/miniprogram';
import { backWith, errorText, escapeHtml, html, newestFirst, noticeOf, notFound, options, pre, readForm, when } from './layout';

/** One person on personal WeChat, with every id WeChat gave them. */
export interface Candidate {
  readonly user: string;
  /** external_userid per WeCom corp (微信客服). */
  readonly kf: readonly { corpId: string; externalUserId: string }[];
  /** openid per mini-program. */
  readonly openids: readonly { appId: string; openid: string }[];
}

/** Every WeChat user the simulator knows, by the name tests gave them. */
export function listCandidates(wechat: WechatSimulator): Candidate[] {
  const byUser = new Map<string, { kf: { corpId: string; externalUserId: string }[]; openids: { appId: string; openid: string }[] }>();
  const entry = (user: string) => {
    let e = byUser.get(user);
    if (!e) {
      e = { kf: [], openids: [] };
      byUser.set(user, e);
    }
    return e;
  };
  for (const [key, externalUserId] of wechat.state.kf.externalIds) {
    const cut = key.indexOf('\0');
    entry(key.slice(cut + 1)).kf.push({ corpId: key.slice(0, cut), externalUserId });
  }
  for (const { appId, user, openid } of wechat.state.miniprogram.knownOpenids()) entry(user).openids.push({ appId, openid });
  return [...byUser.entries()].map(([user, ids]) => ({ user, ...ids }));
}

/** The page id of a candidate: their first external_userid, else their first openid. */
export function candidatePageId(c: Candidate): string {
  return c.kf[0]?.externalUserId ?? c.openids[0]?.openid ?? '';
}

function findCandidate(wechat: WechatSimulator, id: string): Candidate | undefined {
  if (id === '') return undefined;
  return listCandidates(wechat).find((c) => c.kf.some((k) => k.externalUserId === id) || c.openids.some((o) => o.openid === id));
}

type Item = { readonly kind: 'kf'; readonly m: KfReceived } | { readonly kind: 'sub'; readonly m: SubscriptionMessage };

function renderKf(wechat: WechatSimulator, action: string, m: KfReceived): string {
  const account = wechat.state.kf.accounts.get(m.openKfId);
  const meta = `<div class="meta">微信客服 · ${escapeHtml(account?.name ?? m.openKfId)} · ${m.msgtype === 'msgmenu' ? '菜单消息' : '文本'} · ${escapeHtml(when(m.receivedAt))}</div>`;
  if (m.msgtype === 'text' || !m.menu) return `<div class="msg">${meta}${pre(m.content)}</div>`;
  const menu = m.menu;
  const buttons = menu.items
    .map(
      (item) =>
        `<form method="post" action="${escapeHtml(`${action}/menu`)}">` +
        `<input type="hidden" name="openKfId" value="${escapeHtml(m.openKfId)}">` +
        `<input type="hidden" name="menuId" value="${escapeHtml(item.id)}">` +
        `<button type="submit">${escapeHtml(item.content)}</button></form>`,
    )
    .join('');
  return `<div class="msg">${meta}${menu.head ? pre(menu.head) : ''}<div class="buttons">${buttons}</div>${menu.tail ? pre(menu.tail) : ''}</div>`;
}

function renderSubscription(m: SubscriptionMessage): string {
  const meta = `<div class="meta">小程序订阅消息 · ${escapeHtml(m.appId)} · 模板 ${escapeHtml(m.templateId)} · ${escapeHtml(when(m.receivedAt))}</div>`;
  const fields = Object.entries(m.data)
    .map(([k, v]) => `<dt>${escapeHtml(k)}</dt><dd>${escapeHtml(v)}</dd>`)
    .join('');
  const pageLink = m.page === undefined ? '' : `<p>点击进入小程序页面 <small class="muted">(mini-program page)</small>：<code>${escapeHtml(m.page)}</code></p>`;
  return `<div class="msg">${meta}<dl>${fields}</dl>${pageLink}</div>`;
}

function renderOwn(wechat: WechatSimulator, m: KfSyncedMessage): string {
  const account = wechat.state.kf.accounts.get(m.open_kfid);
  const at = when(new Date(m.send_time * 1000));
  let body: string;
  if (m.msgtype === 'event') {
    const e = m.event ?? {};
    body = `<p>进入会话（enter_session）· 场景 ${escapeHtml(e.scene ?? '')}${e.scene_param === undefined ? '' : ` · scene_param ${escapeHtml(e.scene_param)}`}</p>`;
  } else {
    body = pre(m.text?.content) + (m.text?.menu_id ? `<p class="meta">点击菜单项 ${escapeHtml(m.text.menu_id)}</p>` : '');
  }
  return `<div class="msg mine"><div class="meta">我 → ${escapeHtml(account?.name ?? m.open_kfid)} · ${escapeHtml(at)}</div>${body}</div>`;
}

/** `/people/wechat/:id`: what a candidate's personal WeChat shows, and what they can do with it. */
export function candidatePageRouter(wechat: WechatSimulator): Router {
  const router = new Router();
  const pathOf = (id: string) => `/people/wechat/${encodeURIComponent(id)}`;

  router.get('/people/wechat/:id', (ctx) => {
    const id = ctx.params.id ?? '';
    const c = findCandidate(wechat, id);
    if (!c) return notFound(ctx, '该微信用户');
    const action = pathOf(id);
    const items: Item[] = [
      ...c.kf.flatMap((k) => wechat.kfReceived(k.externalUserId).map((m): Item => ({ kind: 'kf', m }))),
      ...c.openids.flatMap((o) => wechat.subscriptionReceived(o.openid).map((m): Item => ({ kind: 'sub', m }))),
    ];
    const list = newestFirst(items, (i) => i.m.receivedAt)
      .map((i) => (i.kind === 'kf' ? renderKf(wechat, action, i.m) : renderSubscription(i.m)))
      .join('');
    const ownIds = new Set(c.kf.map((k) => k.externalUserId));
    const own = [...new Set(c.kf.map((k) => k.corpId))]
      .flatMap((corpId) => wechat.state.kf.messages(corpId))
      .filter((m) => ownIds.has(m.external_userid ?? String(m.event?.external_userid ?? '')))
      .reverse();
    const corps = new Set(c.kf.map((k) => k.corpId));
    const accounts = [...wechat.state.kf.accounts.values()].sort((a, b) => Number(corps.has(b.corpId)) - Number(corps.has(a.corpId)));
    const lastKf = newestFirst(
      c.kf.flatMap((k) => wechat.kfReceived(k.externalUserId)),
      (m) => m.receivedAt,
    )[0]?.openKfId;
    const accountOptions = options(
      accounts.map((a) => ({ value: a.openKfId, label: `${a.name}（${a.openKfId}）` })),
      lastKf,
    );
    const links = [...wechat.state.kf.scenes.entries()].map(([enc, s]) => {
      const name = wechat.state.kf.accounts.get(s.openKfId)?.name ?? s.openKfId;
      return { value: `https://work.weixin.qq.com/kfid/kfc${s.openKfId.slice(2, 18)}?enc_scene=${enc}`, label: `${name} · 场景 ${s.scene || '（无）'}` };
    });
    const sayForm =
      accounts.length === 0
        ? '<p class="muted">暂无微信客服账号，无法发消息。</p>'
        : `<form class="action" method="post" action="${escapeHtml(`${action}/say`)}"><strong>回复消息 <small class="muted">Reply</small></strong>` +
          `<label>发给客服账号<select name="openKfId">${accountOptions}</select></label>` +
          `<label>内容<textarea name="content" rows="3" required></textarea></label><button type="submit">发送</button></form>`;
    const openForm =
      `<form class="action" method="post" action="${escapeHtml(`${action}/open`)}"><strong>打开客服链接 <small class="muted">Open a kf contact link</small></strong>` +
      (links.length > 0 ? `<label>已生成的链接<select name="link">${options(links)}</select></label>` : '') +
      `<label>或粘贴链接（优先）<input name="pasted" placeholder="https://work.weixin.qq.com/kfid/…?enc_scene=…"></label>` +
      `<label>scene_param（可选）<input name="sceneParam" maxlength="128"></label><button type="submit">打开链接</button></form>`;
    const ids = [
      ...c.kf.map((k) => `<li>微信客服 external_userid（${escapeHtml(k.corpId)}）：<code>${escapeHtml(k.externalUserId)}</code></li>`),
      ...c.openids.map((o) => `<li>小程序 openid（${escapeHtml(o.appId)}）：<code>${escapeHtml(o.openid)}</code></li>`),
    ].join('');
    html(
      ctx,
      `${c.user} 的微信`,
      `<h1>${escapeHtml(c.user)} 的微信 <small>Candidate · personal WeChat</small></h1>${noticeOf(ctx)}` +
        `<h2>收到的消息 <small>Received, newest first</small></h2>${list || '<p>暂无消息</p>'}` +
        `<h2>操作 <small>Actions</small></h2>${sayForm}${openForm}` +
        `<h2>我发出的 <small>Sent</small></h2>${own.map((m) => renderOwn(wechat, m)).join('') || '<p>暂无</p>'}` +
        `<h2>身份 <small>IDs</small></h2><ul>${ids}</ul>`,
    );
  });

  const act = (suffix: string, run: (c: Candidate, form: URLSearchParams) => Promise<unknown> | string) => {
    router.post(`/people/wechat/:id/${suffix}`, async (ctx) => {
      const id = ctx.params.id ?? '';
      const c = findCandidate(wechat, id);
      if (!c) return notFound(ctx, '该微信用户');
      const form = await readForm(ctx);
      let notice: string;
      try {
        const result = run(c, form);
        if (typeof result === 'string') {
          notice = result;
        } else {
          // The message is logged before the doorbell rings; the doorbell and its retries may take seconds.
          result.catch((error: unknown) => console.error(`wechat ${suffix} delivery failed`, error));
          notice = '已发送，已通知应用（kf_msg_or_event）';
        }
      } catch (error) {
        notice = `操作失败：${errorText(error)}`;
      }
      backWith(ctx, pathOf(id), notice);
    });
  };

  act('menu', (c, form) => {
    const openKfId = form.get('openKfId') ?? '';
    const menuId = form.get('menuId') ?? '';
    const received = c.kf.flatMap((k) => wechat.kfReceived(k.externalUserId));
    if (!received.some((m) => m.openKfId === openKfId && m.menu?.items.some((i) => i.id === menuId))) throw new Error('没有收到含该菜单项的消息');
    return wechat.clickMenu(c.user, openKfId, menuId);
  });

  act('say', (c, form) => {
    const openKfId = form.get('openKfId') ?? '';
    const content = form.get('content') ?? '';
    if (content.trim() === '') return '内容不能为空';
    if (!wechat.state.kf.accounts.has(openKfId)) throw new Error(`未知的客服账号 ${openKfId}`);
    return wechat.customerSays(c.user, openKfId, content);
  });

  act('open', (c, form) => {
    const link = (form.get('pasted') ?? '').trim() || (form.get('link') ?? '');
    if (link === '') return '请选择或粘贴客服链接';
    const sceneParam = form.get('sceneParam') ?? '';
    const full = sceneParam === '' ? link : `${link}${link.includes('?') ? '&' : '?'}scene_param=${encodeURIComponent(sceneParam)}`;
    const encScene = URL.canParse(link) ? new URL(link).searchParams.get('enc_scene') : null;
    if (!encScene || !wechat.state.kf.scenes.has(encScene)) throw new Error('不是模拟器生成的客服链接（add_contact_way）');
    if (Buffer.byteLength(encodeURIComponent(sceneParam)) > 128) throw new Error('scene_param 超过 128 字节');
    return wechat.openKfLink(c.user, full);
  });

  return router;
}
