import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import Koa from 'koa';
import { type Clock, systemClock } from './clock';
import type { CallbackTiming } from './wecom/callbacks';
import { wecomApiRouter } from './wecom/api';
import { wecomSignInRouter } from './wecom/sign-in';
import { wecomCalendarRouter } from './wecom/calendar';
import { dingtalkCalendarRouter } from './dingtalk/calendar';
import { dingtalkContactsRouter } from './dingtalk/contacts';
import { dingtalkSmartHrRouter } from './dingtalk/smart-hr';
import { peoplePageRouter } from './wecom/people-page';
import { WecomSimulator } from './wecom/wecom-simulator';
import { wechatApiRouter } from './wechat/api';
import { WechatSimulator } from './wechat/wechat-simulator';
import { AibotSimulator, type AibotTiming } from './wecom-aibot/aibot-simulator';
import { dingtalkApiRouter } from './dingtalk/api';
import { dingtalkSignInRouter } from './dingtalk/sign-in';
import { DingtalkSimulator } from './dingtalk/dingtalk-simulator';
import type { StreamTiming } from './dingtalk/stream';
import { rolePagesRouter } from './pages';
import { type AsrSimulator, type AsrSimulatorOptions, startAsrSimulator } from './asr/asr-simulator';
import { LlmSimulator, type LlmSimulatorOptions } from './llm/llm-simulator';

export interface SimulatorOptions {
  /** 0 (default) picks a free port. */
  readonly port?: number;
  readonly host?: string;
  readonly clock?: Clock;
  readonly wecom?: { readonly callbackTiming?: Partial<CallbackTiming> };
  /** WeCom AI bot (智能机器人): callback retries, stream refresh cadence. */
  readonly aibot?: { readonly timing?: Partial<AibotTiming> };
  /** DingTalk Stream mode: redelivery after ~60 s, disconnect grace; tests shorten the real-time parts. */
  readonly dingtalk?: { readonly stream?: Partial<StreamTiming> };
  /** Speech-recognition vendors (Tencent real-time ASR, Alibaba NLS): idle timeouts, cadence (src/asr/). */
  readonly asr?: AsrSimulatorOptions;
  /** The company's OpenAI-compatible model endpoint (src/llm/): keys, models, JSON-mode support. */
  readonly llm?: LlmSimulatorOptions;
}

export interface Simulator {
  /** Base URL to use instead of https://qyapi.weixin.qq.com, without a trailing slash. */
  readonly url: string;
  readonly wecom: WecomSimulator;
  /** 微信客服 (on WeCom's host) and mini-programs: src/wechat/README.md. */
  readonly wechat: WechatSimulator;
  /** WeCom AI bot (智能机器人): callback mode, long connection (`sim.aibot.wsUrl`), response_url. */
  readonly aibot: AibotSimulator;
  /** DingTalk: tokens, Stream-mode gateway and robot sending on `url` (the stream socket gets its own port). */
  readonly dingtalk: DingtalkSimulator;
  /** Tencent real-time ASR and Alibaba NLS on their own port; they answer with the known transcript of fixture audio. */
  readonly asr: AsrSimulator;
  /** An OpenAI-compatible model endpoint at `${url}/v1/chat/completions` (base URL `${url}/v1`). */
  readonly llm: LlmSimulator;
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
  const wechat = new WechatSimulator(clock, wecom);
  const wechatApi = wechatApiRouter(wechat.state, wecom.state);
  app.use(wechatApi.routes()).use(wechatApi.allowedMethods());
  const aibot = new AibotSimulator(clock, options.aibot?.timing);
  app.use(aibot.router.routes()).use(aibot.router.allowedMethods());
  const dingtalk = new DingtalkSimulator(clock, options.dingtalk?.stream);
  const dingtalkApi = dingtalkApiRouter(dingtalk.state, dingtalk.gateway);
  app.use(dingtalkApi.routes()).use(dingtalkApi.allowedMethods());
  // Calendars: WeCom 日程 and DingTalk 日历 (src/wecom/calendar.ts, src/dingtalk/calendar.ts).
  const wecomCalendar = wecomCalendarRouter(wecom.state);
  app.use(wecomCalendar.routes()).use(wecomCalendar.allowedMethods());
  const dingtalkCalendar = dingtalkCalendarRouter(dingtalk.state);
  app.use(dingtalkCalendar.routes()).use(dingtalkCalendar.allowedMethods());
  // DingTalk 通讯录 on the old topapi family (src/dingtalk/contacts.ts).
  const dingtalkContacts = dingtalkContactsRouter(dingtalk.state);
  app.use(dingtalkContacts.routes()).use(dingtalkContacts.allowedMethods());
  // DingTalk 智能人事 (smart HR) on the same topapi family (src/dingtalk/smart-hr.ts).
  const dingtalkSmartHr = dingtalkSmartHrRouter(dingtalk.state);
  app.use(dingtalkSmartHr.routes()).use(dingtalkSmartHr.allowedMethods());
  // Sign-in code exchanges: WeCom jscode2session / auth/getuserinfo, DingTalk getuserinfo / userAccessToken / users/me.
  const wecomSignIn = wecomSignInRouter(wecom.state);
  app.use(wecomSignIn.routes()).use(wecomSignIn.allowedMethods());
  const dingtalkSignIn = dingtalkSignInRouter(dingtalk.state);
  app.use(dingtalkSignIn.routes()).use(dingtalkSignIn.allowedMethods());
  // Role pages (候选人、群聊、钉钉), the web login pages and the index at `/`: src/pages/.
  // An OpenAI-compatible model endpoint (an on-prem Qwen / DeepSeek) for copilot drafts: src/llm/.
  const llm = new LlmSimulator(clock, options.llm);
  app.use(llm.router.routes()).use(llm.router.allowedMethods());
  const pages = rolePagesRouter({ wecom, wechat, aibot, dingtalk });
  app.use(pages.routes()).use(pages.allowedMethods());

  const host = options.host ?? '127.0.0.1';
  const server: Server = await new Promise((resolve, reject) => {
    const s = app.listen(options.port ?? 0, host, () => resolve(s));
    s.once('error', reject);
  });
  const { port } = server.address() as AddressInfo;
  aibot.attach(server, `http://${host}:${port}`);
  await dingtalk.listen(`http://${host}:${port}`, host);
  const asr = await startAsrSimulator(clock, host, options.asr);
  return {
    url: `http://${host}:${port}`,
    wecom,
    wechat,
    aibot,
    dingtalk,
    asr,
    llm,
    stop: () =>
      new Promise<void>((resolve, reject) => {
        void aibot.close();
        void asr.close();
        void dingtalk.close();
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}
