import { Router } from '@koa/router';
import { escapeHtml } from '../http/html';
import { readBody } from '../http/read-body';
import type { ReceivedMessage } from './corp';
import type { WecomSimulator } from './wecom-simulator';

const typeLabels: Record<string, string> = {
  text: '文本',
  markdown: 'Markdown',
  textcard: '文本卡片',
  template_card: '模板卡片',
};

function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>
body{font-family:system-ui,"PingFang SC","Microsoft YaHei",sans-serif;max-width:720px;margin:1rem auto;padding:0 1rem;color:#222}
.msg{border:1px solid #ddd;border-radius:8px;padding:.75rem;margin:.75rem 0}
.meta{color:#888;font-size:.85rem}
pre{white-space:pre-wrap;word-break:break-word;background:#f6f6f6;padding:.5rem;border-radius:4px}
.buttons{display:flex;gap:.5rem;flex-wrap:wrap}
.done{color:#888}
.notice{background:#fff7e0;padding:.5rem;border-radius:4px}
</style></head><body>${body}</body></html>`;
}

/** Links only to http(s): a `javascript:` URL from the system under test must not become clickable. */
function safeHref(url: unknown): string | undefined {
  return typeof url === 'string' && /^https?:\/\//i.test(url) ? url : undefined;
}

function renderMessage(corpId: string, userid: string, m: ReceivedMessage): string {
  const when = m.receivedAt.toLocaleString('zh-CN', { timeZone: 'Asia/Shanghai', hour12: false });
  const meta = `<div class="meta">${escapeHtml(typeLabels[m.msgtype] ?? m.msgtype)} · 应用 ${escapeHtml(m.agentId)} · ${escapeHtml(when)}</div>`;
  let inner = '';
  if (m.msgtype === 'text') inner = `<pre>${escapeHtml(m.content ?? '')}</pre>`;
  else if (m.msgtype === 'markdown') inner = `<div class="meta">Markdown 原文</div><pre>${escapeHtml(m.content ?? '')}</pre>`;
  else if (m.msgtype === 'textcard') {
    const href = safeHref(m.payload.url);
    inner =
      `<h3>${escapeHtml(m.payload.title ?? '')}</h3><pre>${escapeHtml(m.payload.description ?? '')}</pre>` +
      (href ? `<a href="${escapeHtml(href)}">${escapeHtml(m.payload.btntxt ?? '详情')}</a>` : '');
  } else if (m.card) {
    const card = m.card;
    inner = `<h3>${escapeHtml(card.title ?? '（无标题）')}</h3>`;
    if (card.description) inner += `<p>${escapeHtml(card.description)}</p>`;
    if (card.replaceName !== undefined) {
      inner += `<p class="done">已处理：${escapeHtml(card.replaceName)}</p>`;
    } else if (card.taskId !== undefined && card.buttons.length > 0) {
      const action = `/people/wecom/${encodeURIComponent(corpId)}/${encodeURIComponent(userid)}/click`;
      inner +=
        '<div class="buttons">' +
        card.buttons
          .map(
            (b) =>
              `<form method="post" action="${escapeHtml(action)}">` +
              `<input type="hidden" name="taskId" value="${escapeHtml(card.taskId)}">` +
              `<input type="hidden" name="key" value="${escapeHtml(b.key)}">` +
              `<button type="submit">${escapeHtml(b.text)}</button></form>`,
          )
          .join('') +
        '</div>';
    }
  }
  return `<div class="msg">${meta}${inner}</div>`;
}

/** A simulated member's phone: what they received, newest first, and the card buttons they can press. */
export function peoplePageRouter(wecom: WecomSimulator): Router {
  const router = new Router();

  router.get('/people/wecom/:corpId', (ctx) => {
    const corp = wecom.state.corps.get(ctx.params.corpId ?? '');
    if (!corp) {
      ctx.status = 404;
      ctx.body = page('未找到', '<p>未找到该企业</p>');
      return;
    }
    const items = [...corp.members.values()]
      .map((m) => {
        const href = `/people/wecom/${encodeURIComponent(corp.config.corpId)}/${encodeURIComponent(m.userid)}`;
        return `<li><a href="${escapeHtml(href)}">${escapeHtml(m.name)}（${escapeHtml(m.userid)}）</a> 收到 ${corp.received(m.userid).length} 条</li>`;
      })
      .join('');
    ctx.type = 'html';
    ctx.body = page(`企业微信 · ${corp.config.corpId}`, `<h1>企业成员</h1><ul>${items || '<li>暂无成员</li>'}</ul>`);
  });

  router.get('/people/wecom/:corpId/:userid', (ctx) => {
    const corpId = ctx.params.corpId ?? '';
    const userid = ctx.params.userid ?? '';
    const corp = wecom.state.corps.get(corpId);
    const member = corp?.member(userid);
    if (!corp || !member) {
      ctx.status = 404;
      ctx.body = page('未找到', '<p>未找到该成员</p>');
      return;
    }
    const notice = typeof ctx.query.notice === 'string' ? `<p class="notice">${escapeHtml(ctx.query.notice)}</p>` : '';
    const messages = [...corp.received(userid)].reverse();
    const list = messages.length === 0 ? '<p>暂无消息</p>' : messages.map((m) => renderMessage(corpId, member.userid, m)).join('');
    ctx.type = 'html';
    ctx.body = page(
      `${member.name} 的企业微信`,
      `<h1>${escapeHtml(member.name)}（${escapeHtml(member.userid)}）</h1>${notice}<h2>收到的消息</h2>${list}`,
    );
  });

  router.post('/people/wecom/:corpId/:userid/click', async (ctx) => {
    const corpId = ctx.params.corpId ?? '';
    const userid = ctx.params.userid ?? '';
    const form = new URLSearchParams(await readBody(ctx.req));
    let notice: string;
    try {
      const { done } = wecom.startClick(userid, form.get('taskId') ?? '', form.get('key') ?? '', corpId);
      // The callback and its retries may take seconds: answer the page now.
      done.catch((error: unknown) => console.error('card click delivery failed', error));
      notice = '已点击，事件已推送给应用';
    } catch (error) {
      notice = `无法点击：${error instanceof Error ? error.message : String(error)}`;
    }
    ctx.status = 303;
    ctx.redirect(`/people/wecom/${encodeURIComponent(corpId)}/${encodeURIComponent(userid)}?notice=${encodeURIComponent(notice)}`);
  });

  return router;
}
