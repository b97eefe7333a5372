import type { Context } from 'koa';
import { escapeHtml } from '../http/html';
import { readBody } from '../http/read-body';

/**
 * Shared pieces of the role pages (候选人、群聊、钉钉): one look, everything escaped, forms that POST and come back
 * with a notice (POST → 303 → GET), large tap targets for phones.
 */
export function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>
body{font-family:system-ui,"PingFang SC","Microsoft YaHei",sans-serif;max-width:720px;margin:1rem auto;padding:0 1rem;color:#222;line-height:1.5}
h1 small,h2 small{color:#888;font-weight:normal;font-size:.6em}
.msg{border:1px solid #ddd;border-radius:8px;padding:.75rem;margin:.75rem 0}
.mine{background:#eef7ee}
.meta{color:#888;font-size:.85rem}
pre{white-space:pre-wrap;word-break:break-word;background:#f6f6f6;padding:.5rem;border-radius:4px;margin:.5rem 0}
.buttons{display:flex;gap:.5rem;flex-wrap:wrap;margin:.5rem 0}
button,.btn{min-height:44px;min-width:44px;padding:.5rem 1rem;font-size:1rem;border-radius:6px;border:1px solid #07c160;background:#07c160;color:#fff;cursor:pointer;text-decoration:none;display:inline-flex;align-items:center}
.buttons button,.btn{background:#fff;color:#07c160}
form.action{border:1px solid #ddd;border-radius:8px;padding:.75rem;margin:.75rem 0;display:flex;flex-direction:column;gap:.5rem}
input,select,textarea{font-size:1rem;padding:.5rem;min-height:44px;box-sizing:border-box;width:100%}
label{display:flex;flex-direction:column;gap:.25rem}
dl{display:grid;grid-template-columns:max-content 1fr;gap:.25rem .75rem;margin:.5rem 0}
dt{color:#666}dd{margin:0;word-break:break-word}
ul.links li{margin:.4rem 0}
ul.links a{display:inline-block;padding:.5rem 0}
.notice{background:#fff7e0;padding:.5rem;border-radius:4px}
.muted{color:#888}
</style></head><body><p class="meta"><a href="/">← 平台模拟器首页 Home</a></p>${body}</body></html>`;
}

/** Links only to http(s): a `javascript:` (or `dingtalk://`) URL from the system under test must not become clickable. */
export function safeHref(url: unknown): string | undefined {
  return typeof url === 'string' && /^https?:\/\//i.test(url) ? url : undefined;
}

/** A link when the URL is http(s), otherwise the URL as inert text. */
export function linkOrText(url: unknown, label: unknown): string {
  const href = safeHref(url);
  if (href) return `<a class="btn" href="${escapeHtml(href)}" rel="noopener noreferrer">${escapeHtml(label)}</a>`;
  if (typeof url !== 'string' || url === '') return `<span class="muted">${escapeHtml(label)}</span>`;
  return `<span class="muted">${escapeHtml(label)}（链接不可在浏览器打开：<code>${escapeHtml(url)}</code>）</span>`;
}

export function when(at: Date): string {
  return at.toLocaleString('zh-CN', { timeZone: 'Asia/Shanghai', hour12: false });
}

export function noticeOf(ctx: Context): string {
  return typeof ctx.query.notice === 'string' ? `<p class="notice" role="status">${escapeHtml(ctx.query.notice)}</p>` : '';
}

export function notFound(ctx: Context, what: string): void {
  ctx.status = 404;
  ctx.type = 'html';
  ctx.body = page('未找到', `<h1>未找到${escapeHtml(what)} <small>Not found</small></h1>`);
}

export function html(ctx: Context, title: string, body: string): void {
  ctx.type = 'html';
  ctx.body = page(title, body);
}

export async function readForm(ctx: Context): Promise<URLSearchParams> {
  return new URLSearchParams(await readBody(ctx.req));
}

/** POST → 303 back to the page with a notice, so reloading does not repeat the action. */
export function backWith(ctx: Context, path: string, notice: string): void {
  ctx.status = 303;
  ctx.redirect(`${path}?notice=${encodeURIComponent(notice)}`);
}

export function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Newest first; entries with the same time keep their reverse arrival order. */
export function newestFirst<T>(items: readonly T[], at: (item: T) => Date): T[] {
  return items
    .map((item, index) => ({ item, index, ms: at(item).getTime() }))
    .sort((a, b) => b.ms - a.ms || b.index - a.index)
    .map((e) => e.item);
}

/** Pre-formatted, escaped text (markdown is shown as its source). */
export function pre(text: unknown): string {
  return `<pre>${escapeHtml(text ?? '')}</pre>`;
}

export function options(values: readonly { value: string; label: string }[], selected?: string): string {
  return values
    .map((v) => `<option value="${escapeHtml(v.value)}"${v.value === selected ? ' selected' : ''}>${escapeHtml(v.label)}</option>`)
    .join('');
}

export { escapeHtml };
