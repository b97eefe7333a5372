import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import Koa from 'koa';
import { type Clock, systemClock } from './clock';
import type { CallbackTiming } from './wecom/callbacks';
import { wecomApiRouter } from './wecom/api';
import { peoplePageRouter } from './wecom/people-page';
import { WecomSimulator } from './wecom/wecom-simulator';

export interface SimulatorOptions {
  /** 0 (default) picks a free port. */
  readonly port?: number;
  readonly host?: string;
  readonly clock?: Clock;
  readonly wecom?: { readonly callbackTiming?: Partial<CallbackTiming> };
}

export interface Simulator {
  /** Base URL to use instead of https://qyapi.weixin.qq.com, without a trailing slash. */
  readonly url: string;
  readonly wecom: WecomSimulator;
  stop(): Promise<void>;
}

/** Starts the platform simulator. WeChat, 微信客服 and DingTalk will mount beside `wecom` as sibling modules. */
export async function startSimulator(options: SimulatorOptions = {}): Promise<Simulator> {
  const clock = options.clock ?? systemClock;
  const wecom = new WecomSimulator(clock, options.wecom?.callbackTiming);
  const app = new Koa();
  const api = wecomApiRouter(wecom.state);
  const people = peoplePageRouter(wecom);
  app.use(api.routes()).use(api.allowedMethods());
  app.use(people.routes()).use(people.allowedMethods());
  app.use((ctx) => {
    if (ctx.path !== '/') return;
    const corps = [...wecom.state.corps.keys()]
      .map((id) => `<li><a href="/people/wecom/${encodeURIComponent(id)}">${id.replace(/[^A-Za-z0-9_-]/g, '')}</a></li>`)
      .join('');
    ctx.type = 'html';
    ctx.body = `<!doctype html><meta charset="utf-8"><title>平台模拟器</title><h1>平台模拟器</h1><h2>企业微信</h2><ul>${corps || '<li>暂无企业</li>'}</ul>`;
  });

  const host = options.host ?? '127.0.0.1';
  const server: Server = await new Promise((resolve, reject) => {
    const s = app.listen(options.port ?? 0, host, () => resolve(s));
    s.once('error', reject);
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${host}:${port}`,
    wecom,
    stop: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}
