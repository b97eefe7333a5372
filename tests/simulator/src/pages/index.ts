import { Router } from '@koa/router';
import type { DingtalkSimulator } from '../dingtalk/dingtalk-simulator';
import type { WechatSimulator } from '../wechat/wechat-simulator';
import type { AibotSimulator } from '../wecom-aibot/aibot-simulator';
import type { WecomSimulator } from '../wecom/wecom-simulator';
import { candidatePageId, candidatePageRouter, listCandidates } from './candidate-page';
import { dingtalkPagesRouter } from './dingtalk-pages';
import { escapeHtml, html } from './layout';
import { loginPagesRouter } from './login-pages';
import { aibotGroupIds, wecomGroupPageRouter } from './wecom-group-page';

export interface PagePlatforms {
  readonly wecom: WecomSimulator;
  readonly wechat: WechatSimulator;
  readonly aibot: AibotSimulator;
  readonly dingtalk: DingtalkSimulator;
}

const link = (href: string, label: string, extra = '') => `<li><a href="${escapeHtml(href)}">${escapeHtml(label)}</a>${extra}</li>`;
const listOr = (items: string[], empty: string) => `<ul class="links">${items.join('') || `<li class="muted">${escapeHtml(empty)}</li>`}</ul>`;

function indexBody(p: PagePlatforms): string {
  const corps = [...p.wecom.state.corps.values()].map((corp) => {
    const corpHref = `/people/wecom/${encodeURIComponent(corp.config.corpId)}`;
    const members = [...corp.members.values()].map((m) =>
      link(`${corpHref}/${encodeURIComponent(m.userid)}`, `${m.name}（${m.userid}）`, ` <span class="muted">收到 ${corp.received(m.userid).length} 条</span>`),
    );
    return `<h3><a href="${escapeHtml(corpHref)}">${escapeHtml(corp.config.name ?? corp.config.corpId)}</a> <small class="muted">${escapeHtml(corp.config.corpId)}</small></h3>${listOr(members, '暂无成员')}`;
  });
  const candidates = listCandidates(p.wechat).map((c) => {
    const count = c.kf.reduce((n, k) => n + p.wechat.kfReceived(k.externalUserId).length, 0) + c.openids.reduce((n, o) => n + p.wechat.subscriptionReceived(o.openid).length, 0);
    return link(`/people/wechat/${encodeURIComponent(candidatePageId(c))}`, c.user, ` <span class="muted">收到 ${count} 条</span>`);
  });
  const groups = [
    ...aibotGroupIds(p.aibot).map((id) => link(`/groups/wecom/${encodeURIComponent(id)}`, `群聊 ${id}`, ' <span class="muted">智能机器人</span>')),
    ...[...p.wecom.state.robots.values()].map((r) => link(`/groups/wecom/${encodeURIComponent(r.key)}`, r.chatName, ' <span class="muted">群机器人 Webhook</span>')),
  ];
  const newGroup =
    '<form class="action" method="post" action="/groups/wecom"><strong>新建模拟群聊 <small class="muted">New group chat for the AI bot</small></strong>' +
    '<label>群 chatid<input name="chatId" required pattern="[A-Za-z0-9_\\-@.]{1,64}" placeholder="wrkSFfCgAA_hr"></label><button type="submit">创建并进入</button></form>';
  const dtUsers = [...new Set([...p.dingtalk.state.users.keys(), ...p.dingtalk.state.inboxes.keys()])].map((id) =>
    link(`/people/dingtalk/${encodeURIComponent(id)}`, `${p.dingtalk.state.users.get(id)?.name ?? id}（${id}）`),
  );
  const dtGroups = [
    ...[...new Set([...p.dingtalk.state.groups.keys(), ...p.dingtalk.state.groupInboxes.keys()])].map((id) =>
      link(`/groups/dingtalk/${encodeURIComponent(id)}`, p.dingtalk.state.groups.get(id)?.title ?? id),
    ),
    ...[...p.dingtalk.state.webhookRobots.values()].map((r) => link(`/groups/dingtalk/${encodeURIComponent(r.accessToken)}`, r.chatName, ' <span class="muted">自定义机器人</span>')),
  ];
  return (
    '<h1>平台模拟器 <small>Platform simulator</small></h1><p>选择一个角色，查看他收到的消息并代他操作。<small class="muted">Pick a person to see what they received and act as them.</small></p>' +
    `<h2>企业微信 <small>WeCom members</small></h2>${corps.join('') || '<p class="muted">暂无企业</p>'}` +
    `<h2>候选人（个人微信）<small>Candidates on WeChat</small></h2>${listOr(candidates, '暂无候选人')}` +
    `<h2>企业微信群聊 <small>WeCom group chats</small></h2>${listOr(groups, '暂无群聊')}${newGroup}` +
    `<h2>钉钉用户 <small>DingTalk users</small></h2>${listOr(dtUsers, '暂无钉钉用户')}` +
    `<h2>钉钉群 <small>DingTalk groups</small></h2>${listOr(dtGroups, '暂无钉钉群')}`
  );
}

/** The role pages and the index at `/`: one router for startSimulator to mount. */
export function rolePagesRouter(p: PagePlatforms): Router {
  const router = new Router();
  router.get('/', (ctx) => html(ctx, '平台模拟器', indexBody(p)));
  for (const sub of [candidatePageRouter(p.wechat), wecomGroupPageRouter(p.wecom, p.aibot), dingtalkPagesRouter(p.dingtalk), loginPagesRouter(p)]) {
    router.use(sub.routes(), sub.allowedMethods());
  }
  return router;
}
