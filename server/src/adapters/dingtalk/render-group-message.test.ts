import { describe, expect, it } from 'vitest';
import { renderDingtalkRobotTemplate, renderDingtalkWebhookBody } from './render-group-message';

describe('DingTalk group message rendering', () => {
  it('turns text, markdown and notice cards into the app robot’s templates', () => {
    expect(renderDingtalkRobotTemplate({ kind: 'text', content: '你好', mentionUserIds: ['a'] })).toEqual({ msgKey: 'sampleText', msgParam: { content: '你好' } });
    expect(renderDingtalkRobotTemplate({ kind: 'markdown', content: '**今日面试**\n- 10:00 林晓雨' })).toEqual({
      msgKey: 'sampleMarkdown',
      msgParam: { title: '今日面试', text: '**今日面试**\n- 10:00 林晓雨' },
    });
    expect(renderDingtalkRobotTemplate({ kind: 'notice_card', title: '漏斗', url: 'https://h.example/f' }).msgKey).toBe('sampleActionCard');
    expect(renderDingtalkRobotTemplate({ kind: 'notice_card', title: '漏斗' }).msgKey).toBe('sampleMarkdown');
  });

  it('writes the webhook body with @ in both the text and the at list', () => {
    expect(renderDingtalkWebhookBody({ kind: 'text', content: '请提交面评', mentionUserIds: ['u1', 'u2'] })).toEqual({
      msgtype: 'text',
      text: { content: '请提交面评 @u1 @u2' },
      at: { atUserIds: ['u1', 'u2'], isAtAll: false },
    });
    expect(renderDingtalkWebhookBody({ kind: 'markdown', content: '# 满意度\n9.1' })).toMatchObject({ msgtype: 'markdown', markdown: { title: '满意度' } });
  });
  it('lists a button card’s choices and announces an image, since the robot can carry neither yet', () => {
    const card = { kind: 'button_card', cardId: 'hb_1', title: '确认取消这场面试？', description: '林** · 前端工程师', buttons: [{ label: '确认取消', key: 'k1' }, { label: '不取消', key: 'k2' }] } as const;
    expect(renderDingtalkRobotTemplate(card)).toEqual({
      msgKey: 'sampleMarkdown',
      msgParam: { title: '确认取消这场面试？', text: '**确认取消这场面试？**\n林** · 前端工程师\n\n可选：确认取消 ／ 不取消（请带上所选内容重新发送命令）' },
    });
    expect(renderDingtalkWebhookBody(card)).toMatchObject({ msgtype: 'markdown', markdown: { title: '确认取消这场面试？' } });
    const image = { kind: 'image', pngBase64: 'iVBORw0KGgo=', alt: '前端工程师 招聘漏斗（近30天）' } as const;
    expect(renderDingtalkRobotTemplate(image)).toEqual({ msgKey: 'sampleMarkdown', msgParam: { title: '前端工程师 招聘漏斗（近30天）', text: '📊 前端工程师 招聘漏斗（近30天）（图表可在 H5 招聘后台查看）' } });
    expect(JSON.stringify(renderDingtalkWebhookBody(image))).not.toContain('iVBOR');
  });
});
