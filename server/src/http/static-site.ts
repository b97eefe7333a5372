import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import type Koa from 'koa';

const types: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

/**
 * Serves a built single-page site (the H5 mini-app) under a prefix: `index.html` is never cached (it names the
 * current bundles), hashed assets are cached for a year. Nothing outside the directory is reachable. When the site
 * has not been built, the prefix answers 503 with how to build it instead of a bare 404.
 */
export function staticSite(prefix: string, dir: string, hint: string): Koa.Middleware {
  const root = path.resolve(dir);
  return async (ctx, next) => {
    if (ctx.method !== 'GET' && ctx.method !== 'HEAD') return next();
    if (ctx.path === prefix) {
      ctx.redirect(`${prefix}/`);
      return;
    }
    if (!ctx.path.startsWith(`${prefix}/`)) return next();
    let relative: string;
    try {
      relative = decodeURIComponent(ctx.path.slice(prefix.length + 1)) || 'index.html';
    } catch {
      ctx.status = 400;
      return;
    }
    const file = path.resolve(root, relative);
    if (file !== root && !file.startsWith(root + path.sep)) {
      ctx.status = 404;
      return;
    }
    const info = await stat(file).catch(() => undefined);
    if (!info?.isFile()) {
      const built = await stat(path.join(root, 'index.html')).catch(() => undefined);
      ctx.status = built ? 404 : 503;
      ctx.type = 'text/plain; charset=utf-8';
      ctx.body = built ? '未找到 Not found' : `页面尚未构建。The pages are not built: ${hint}`;
      return;
    }
    const isIndex = path.basename(file) === 'index.html';
    ctx.set('Cache-Control', isIndex ? 'no-cache' : 'public, max-age=31536000, immutable');
    ctx.set('X-Content-Type-Options', 'nosniff');
    ctx.type = types[path.extname(file)] ?? 'application/octet-stream';
    ctx.length = info.size;
    ctx.lastModified = info.mtime;
    ctx.body = ctx.method === 'HEAD' ? null : createReadStream(file);
  };
}
