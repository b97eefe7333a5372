import { afterEach, describe, expect, it } from 'vitest';
import { createManualClock } from '../clock';
import { startSimulator } from '../simulator';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
});

describe('index page /', () => {
  it('lists every corp member, candidate, group and DingTalk person with links, escaped', async () => {
    const sim = await startSimulator({ clock: createManualClock() });
    cleanups.push(() => sim.stop());
    const corpId = 'wwindex000000001';
    sim.wecom.addCorp({ corpId, name: '<b>招聘桥</b>', apps: [{ agentId: 1000002, secret: 's' }], kfSecret: 'k', callbackToken: 'QDG6eK', encodingAesKey: 'jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C' });
    sim.wecom.addUser(corpId, { userid: 'zhoumin', name: '周敏<script>', department: [1] });
    sim.wechat.addKfAccount({ corpId, openKfId: 'wkIndexKf01', name: '招聘小助手' });
    const externalUserId = sim.wechat.externalUserIdOf('wang', corpId);
    sim.wechat.addMiniProgram({ appId: 'wxindex', secret: 's' });
    const openid = sim.wechat.openidOf('li', 'wxindex');
    sim.wecom.addRobot({ key: 'robot-key', chatName: '通知群' });
    sim.aibot.addGroup('wrkHR01');
    sim.dingtalk.addUser({ userId: 'dt-user', name: '钉钉用户甲' });
    sim.dingtalk.addGroup({ openConversationId: 'cid==', title: '钉钉招聘群' });

    const response = await fetch(`${sim.url}/`);
    expect(response.status).toBe(200);
    const html = await response.text();
    for (const href of [
      `/people/wecom/${corpId}`,
      `/people/wecom/${corpId}/zhoumin`,
      `/people/wechat/${externalUserId}`,
      `/people/wechat/${openid}`,
      '/groups/wecom/robot-key',
      '/groups/wecom/wrkHR01',
      '/people/dingtalk/dt-user',
      `/groups/dingtalk/${encodeURIComponent('cid==')}`,
    ]) {
      expect(html).toContain(`href="${href}"`);
    }
    for (const label of ['企业微信', '候选人（个人微信）', '企业微信群聊', '钉钉用户', '钉钉群', 'wang', 'li', '通知群', '钉钉招聘群', '钉钉用户甲']) expect(html).toContain(label);
    expect(html).not.toContain('<script>');
    expect(html).not.toContain('<b>');
    expect(html).toContain('周敏&lt;script&gt;');

    // Every linked page answers.
    for (const path of [`/people/wechat/${externalUserId}`, `/people/wechat/${openid}`, '/groups/wecom/robot-key', '/groups/wecom/wrkHR01', '/people/dingtalk/dt-user', `/groups/dingtalk/${encodeURIComponent('cid==')}`]) {
      expect((await fetch(`${sim.url}${path}`)).status).toBe(200);
    }
  });

  it('shows empty sections on a fresh simulator', async () => {
    const sim = await startSimulator({ clock: createManualClock() });
    cleanups.push(() => sim.stop());
    const html = await (await fetch(`${sim.url}/`)).text();
    expect(html).toContain('暂无企业');
    expect(html).toContain('暂无候选人');
    expect(html).toContain('新建模拟群聊');
  });
});
