import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { expect } from 'vitest';

/**
 * The page helpers the Chromium tests share. Taro's H5 router keeps earlier pages in the DOM, hidden: every helper
 * reads or taps the visible one. `timeoutMs` is each file's own patience, passed in so none gets looser.
 */
export function visiblePage(timeoutMs: number) {
  async function text(page: Page, selector: string): Promise<string> {
    const visible = page.locator(`${selector} >> visible=true`).first();
    await visible.waitFor({ timeout: timeoutMs });
    return (await visible.textContent()) ?? '';
  }
  const tap = (page: Page, selector: string) => page.locator(`${selector} >> visible=true`).first().click({ timeout: timeoutMs });
  /** Polls the visible element's text until it matches `pattern`; throws with what it shows after `timeoutMs`. */
  async function until(page: Page, selector: string, pattern: RegExp): Promise<string> {
    const started = Date.now();
    for (;;) {
      const shown = await text(page, selector);
      if (pattern.test(shown)) return shown;
      if (Date.now() - started > timeoutMs) throw new Error(`${selector} never matched ${pattern}; it shows: ${shown}`);
      await page.waitForTimeout(100);
    }
  }
  /** Opens `path` of the H5 build without a session; demo mode offers the picker, and the employee is chosen. */
  async function demoSignIn(page: Page, baseUrl: string, employeeId: string, path: string): Promise<void> {
    await page.goto(`${baseUrl}/h5/#${path}`);
    expect(await text(page, '#demo-login')).toContain('演示登录');
    await tap(page, `#employee-${employeeId}`);
  }
  return { text, tap, until, demoSignIn };
}

/** A fresh browser context the size of a phone, in Chinese, with the page's uncaught errors collected. */
export async function phonePage(browser: Browser): Promise<{ context: BrowserContext; page: Page; pageErrors: string[] }> {
  const context = await browser.newContext({ viewport: { width: 375, height: 740 }, locale: 'zh-CN' });
  const page = await context.newPage();
  const pageErrors: string[] = [];
  page.on('pageerror', (e) => pageErrors.push(e.message));
  return { context, page, pageErrors };
}

/** Starts `server` listening on a free port of 127.0.0.1 and returns its http:// address. */
export async function listenOn(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** A new server (with `listener`, if given) listening on a free port of 127.0.0.1, and its http:// address. */
export async function listenLocally(listener?: RequestListener): Promise<{ server: Server; baseUrl: string }> {
  const server = listener ? createServer(listener) : createServer();
  return { server, baseUrl: await listenOn(server) };
}

/** Closes a server from listenLocally, cutting the connections still open (keep-alive, sockets). */
export async function closeServer(server: Server | undefined): Promise<void> {
  if (server) await new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); });
}
