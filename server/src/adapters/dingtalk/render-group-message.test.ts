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
});
