import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { TenantConnection } from '../../features/platform/connect-tenant';
import type { GroupMessage } from '../../ports/group-notifier';
import { cardClickDedupeKey, cardParamMapOf, createAndDeliverBody, handledCardUpdateBody, outTrackIdOf, parseCardCallback, spaceOfChatRef } from './card-template';
import { renderDingtalkRobotTemplate } from './render-group-message';

const card: Extract<GroupMessage, { kind: 'button_card' }> = {
  kind: 'button_card',
  cardId: 'hb_0123456789abcdef0123456789abcdef01234567',
  title: '确认取消这场面试？',
  description: '林** · 前端工程师 · 技术一面\n原因：候选人时间冲突',
  buttons: [
    { label: '确认取消', key: 'hb1.eyJhIjoiY2FuY2VsIn0', style: 'danger' },
    { label: '不取消', key: 'hb1.eyJhIjoiZGlzbWlzcyJ9' },
  ],
};

const callback = (content: unknown, extra: Record<string, unknown> = {}) =>
  JSON.stringify({ corpId: 'dingcorp', outTrackId: 'hb_card_1', userId: 'manager7675', content: typeof content === 'string' ? content : JSON.stringify(content), ...extra });

describe('DingTalk interactive card rendering', () => {
  it('renders a button card into the HireBridge template: strings only, buttons as a JSON list, the chat for the callback', () => {
    const map = cardParamMapOf(card, { type: 'group', openConversationId: 'cid==' });
    expect(Object.values(map).every((v) => typeof v === 'string')).toBe(true);
    expect(map).toMatchObject({ title: '确认取消这场面试？', markdown: card.description, hbChat: 'group:cid==', status: '' });
    expect(JSON.parse(map.buttons!)).toEqual([
      { label: '确认取消', key: card.buttons[0]!.key, style: 'danger' },
      { label: '不取消', key: card.buttons[1]!.key, style: 'default' },
    ]);
  });

  it('delivers into a group through the app robot, with stream callbacks, and into a 1:1 robot chat', () => {
    const group = createAndDeliverBody({ templateId: 't.schema', robotCode: 'dingrobot', message: card, space: { type: 'group', openConversationId: 'cid==' } });
    expect(group).toMatchObject({
      cardTemplateId: 't.schema', outTrackId: card.cardId, callbackType: 'STREAM', openSpaceId: 'dtv1.card//IM_GROUP.cid==',
      imGroupOpenDeliverModel: { robotCode: 'dingrobot' },
    });
    const single = createAndDeliverBody({ templateId: 't.schema', robotCode: 'dingrobot', message: card, space: { type: 'single', userId: 'u1' } });
    expect(single).toMatchObject({ openSpaceId: 'dtv1.card//IM_ROBOT.u1', imRobotOpenDeliverModel: { spaceType: 'IM_ROBOT', robotCode: 'dingrobot' } });
    expect(single).not.toHaveProperty('imGroupOpenDeliverModel');
  });

  it('keeps outTrackId within 64 characters and stable', () => {
    expect(outTrackIdOf(card.cardId)).toBe(card.cardId);
    const long = outTrackIdOf('x'.repeat(100));
    expect(long.length).toBeLessThanOrEqual(64);
    expect(outTrackIdOf('x'.repeat(100))).toBe(long);
    expect(outTrackIdOf('with space')).toMatch(/^hb_[0-9a-f]{48}$/);
  });

  it('updates the card for everyone: status shown, buttons removed, by key', () => {
    expect(handledCardUpdateBody('hb_card_1', '已处理 · 周敏')).toEqual({
      outTrackId: 'hb_card_1', cardData: { cardParamMap: { status: '已处理 · 周敏', buttons: '[]' } }, cardUpdateOptions: { updateCardDataByKey: true },
    });
  });

  it('without a template the robot lists the buttons as text', () => {
    const text = renderDingtalkRobotTemplate(card);
    expect(text.msgKey).toBe('sampleMarkdown');
    expect(text.msgParam.text).toContain('确认取消 ／ 不取消');
  });
});

describe('DingTalk card callbacks', () => {
  it('reads the click of a HireBridge button: key and chat from the params', () => {
    const click = parseCardCallback(callback({ cardPrivateData: { actionIds: ['hb_button'], params: { key: 'k1', chat: 'group:cid==' } } }));
    expect(click).toEqual({ outTrackId: 'hb_card_1', userId: 'manager7675', corpId: 'dingcorp', actionId: 'hb_button', key: 'k1', chat: 'group:cid==' });
    expect(spaceOfChatRef('group:cid==')).toEqual({ type: 'group', openConversationId: 'cid==' });
    expect(spaceOfChatRef('single:u1')).toEqual({ type: 'single', userId: 'u1' });
    expect(spaceOfChatRef('elsewhere')).toBeUndefined();
  });

  it('reads HTTP-mode `value` as well, and a missing chat as null', () => {
    const click = parseCardCallback(JSON.stringify({ outTrackId: 'hb_card_1', userId: 'u1', value: JSON.stringify({ cardPrivateData: { actionIds: ['hb_button'], params: { key: 'k1' } } }) }));
    expect(click).toMatchObject({ key: 'k1', chat: null, corpId: null });
  });

  it('refuses what is not a HireBridge button click, saying why', () => {
    expect(parseCardCallback('not json')).toEqual({ invalid: 'data is not JSON' });
    expect(parseCardCallback(JSON.stringify({ userId: 'u' }))).toEqual({ invalid: 'no outTrackId or userId' });
    expect(parseCardCallback(callback('{bad'))).toEqual({ invalid: 'content is not JSON' });
    expect(parseCardCallback(callback({ cardPrivateData: { actionIds: ['other'], params: { key: 'k' } } }))).toMatchObject({ invalid: expect.stringContaining('not a HireBridge button') });
    expect(parseCardCallback(callback({ cardPrivateData: { actionIds: ['hb_button'], params: {} } }))).toEqual({ invalid: 'the button has no key' });
  });

  it('dedupes by card, person and button', () => {
    const base = { outTrackId: 'c', userId: 'u', corpId: null, actionId: 'hb_button', key: 'k', chat: null };
    expect(cardClickDedupeKey(base)).toBe(cardClickDedupeKey({ ...base, chat: 'group:x' }));
    expect(cardClickDedupeKey(base)).not.toBe(cardClickDedupeKey({ ...base, userId: 'v' }));
    expect(cardClickDedupeKey(base)).not.toBe(cardClickDedupeKey({ ...base, key: 'k2' }));
  });
});

describe('cardTemplateId in the tenant connection file', () => {
  const dingtalk = JSON.parse(readFileSync(new URL('../../../../config/tenant.dingtalk.example.json', import.meta.url), 'utf8'));

  it('accepts config/tenant.dingtalk.example.json as written', () => {
    expect(TenantConnection.safeParse(dingtalk).success).toBe(true);
  });

  it('refuses a malformed template id, and one on a non-DingTalk app, with a clear message', () => {
    const bad = { ...dingtalk, apps: [{ ...dingtalk.apps[0], cardTemplateId: 'has spaces/slash' }] };
    const parsed = TenantConnection.safeParse(bad);
    expect(parsed.success).toBe(false);
    expect(JSON.stringify(parsed.error?.issues)).toContain('卡片模板 ID');
    const wecom = TenantConnection.safeParse({
      tenant: { name: '星河', platform: 'wecom', corpId: 'ww1' }, admins: ['a'],
      apps: [{ kind: 'wecom_app', agentId: '1000002', secret: 'env:X_SECRET', cardTemplateId: 't.schema' }],
    });
    expect(wecom.success).toBe(false);
    expect(JSON.stringify(wecom.error?.issues)).toContain('只有钉钉应用有 cardTemplateId');
  });
});
