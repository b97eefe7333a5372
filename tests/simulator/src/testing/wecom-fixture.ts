import { createManualClock } from '../clock';
import { startSimulator } from '../simulator';
import type { CallbackTiming } from '../wecom/callbacks';

export const corpId = 'wwsim00000000001';
export const agentId = 1000002;
export const appSecret = 'app-secret-1000002';
export const otherAgentId = 1000003;
export const otherAppSecret = 'app-secret-1000003';
export const contactsSecret = 'contacts-sync-secret';
// Token and key of WeCom's published sample vector (doc 91144), so failures can be checked by hand.
export const callbackToken = 'QDG6eK';
export const encodingAesKey = 'jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C';

export interface WecomAnswer {
  readonly errcode: number;
  readonly errmsg: string;
  readonly [field: string]: unknown;
}

export interface FixtureOptions {
  readonly callbackUrl?: string;
  readonly callbackTiming?: Partial<CallbackTiming>;
  readonly gettokenLimitPerHour?: number;
}

/** A simulator on a manual clock with one corp (two apps, a contacts secret), two departments and two members. */
export async function startWecomFixture(options: FixtureOptions = {}) {
  const clock = createManualClock();
  const sim = await startSimulator({
    clock,
    wecom: { callbackTiming: { timeoutMs: 500, retryIntervalMs: 10, verifyTimeoutMs: 500, ...options.callbackTiming } },
  });
  sim.wecom.addCorp({
    corpId,
    name: '招聘桥测试公司',
    apps: [
      { agentId, secret: appSecret },
      { agentId: otherAgentId, secret: otherAppSecret },
    ],
    contactsSecret,
    callbackToken,
    encodingAesKey,
    ...(options.callbackUrl ? { callbackUrl: options.callbackUrl } : {}),
    ...(options.gettokenLimitPerHour === undefined ? {} : { gettokenLimitPerHour: options.gettokenLimitPerHour }),
  });
  sim.wecom.addDepartment(corpId, { id: 2, name: '技术部', parentid: 1 });
  sim.wecom.addUser(corpId, { userid: 'ZhangSan', name: '张三', department: [2], position: '面试官', mobile: '13800000001' });
  sim.wecom.addUser(corpId, { userid: 'lisi', name: '李四', department: [1], mobile: '13800000002', mobileAuthorized: true });

  async function call(method: 'GET' | 'POST', path: string, query: Record<string, string>, body?: unknown) {
    const url = new URL(path, sim.url);
    for (const [k, v] of Object.entries(query)) url.searchParams.set(k, v);
    const response = await fetch(url, {
      method,
      ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
    });
    return (await response.json()) as WecomAnswer;
  }

  const api = {
    get: (path: string, query: Record<string, string> = {}) => call('GET', path, query),
    post: (path: string, query: Record<string, string>, body: unknown) => call('POST', path, query, body),
    async token(secret = appSecret): Promise<string> {
      const answer = await call('GET', '/cgi-bin/gettoken', { corpid: corpId, corpsecret: secret });
      if (answer.errcode !== 0) throw new Error(`gettoken failed: ${answer.errcode}`);
      return answer.access_token as string;
    },
    async send(body: Record<string, unknown>, token?: string) {
      return call('POST', '/cgi-bin/message/send', { access_token: token ?? (await api.token()) }, {
        agentid: agentId,
        ...body,
      });
    },
  };

  return { sim, clock, api, stop: () => sim.stop() };
}

export type WecomFixture = Awaited<ReturnType<typeof startWecomFixture>>;

export function textTo(touser: string, content: string, extra: Record<string, unknown> = {}) {
  return { touser, msgtype: 'text', text: { content }, ...extra };
}

export function buttonCard(touser: string, taskId: string, title = '面试时间确认') {
  return {
    touser,
    msgtype: 'template_card',
    template_card: {
      card_type: 'button_interaction',
      task_id: taskId,
      main_title: { title, desc: '周三 14:00 · 二面' },
      button_list: [
        { text: '接受', style: 1, key: 'accept' },
        { text: '改期', style: 2, key: 'reschedule' },
      ],
    },
  };
}
