import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AibotPayloadRejectedError, parseAibotObject, parseAibotPayload, stripBotMention } from './payload';

const groupText = {
  msgid: 'CAIQ16HMjQYY/NGagIOAgAMgq4KM0AI=',
  aibotid: 'AIBOTID',
  chatid: 'wrkSFfCgAAxxxx',
  chattype: 'group',
  from: { userid: 'zhoumin' },
  response_url: 'https://qyapi.weixin.qq.com/cgi-bin/aibot/response?response_code=RC',
  msgtype: 'text',
  text: { content: '@招聘助手 今天有哪些面试' },
};

/** Only the parser's own error may escape: never a TypeError, RangeError or zod internals. */
function outcome(run: () => unknown): 'accepted' | 'rejected' {
  try {
    run();
    return 'accepted';
  } catch (error) {
    if (error instanceof AibotPayloadRejectedError) return 'rejected';
    throw error;
  }
}

describe('AI-bot payload parser', () => {
  it('reads the documented message, stream refresh and event shapes', () => {
    expect(parseAibotObject(groupText)).toMatchObject({
      type: 'message',
      msgid: groupText.msgid,
      botId: 'AIBOTID',
      chatId: 'wrkSFfCgAAxxxx',
      chatType: 'group',
      fromUserId: 'zhoumin',
      text: '@招聘助手 今天有哪些面试',
      responseUrl: groupText.response_url,
    });
    const mixed = { ...groupText, msgtype: 'mixed', mixed: { msg_item: [{ msgtype: 'text', text: { content: '@招聘助手 看图' } }, { msgtype: 'image', image: { url: 'https://x/y' } }] } };
    expect(parseAibotObject(mixed)).toMatchObject({ type: 'message', text: '@招聘助手 看图' });
    const refresh = { msgid: 'm2', aibotid: 'AIBOTID', chatid: 'c', chattype: 'group', from: { userid: 'u' }, msgtype: 'stream', stream: { id: 'STREAMID' } };
    expect(parseAibotObject(refresh)).toMatchObject({ type: 'stream_refresh', streamId: 'STREAMID' });
    const event = { msgid: 'm3', create_time: 1700000000, aibotid: 'AIBOTID', chattype: 'single', from: { corpid: 'wp', userid: 'u' }, msgtype: 'event', event: { eventtype: 'enter_chat' } };
    expect(parseAibotObject(event)).toMatchObject({ type: 'event', eventType: 'enter_chat', fromUserId: 'u' });
    // 1:1 without chatid is fine; a group message without one is not.
    const { chatid: _omit, ...noChat } = groupText;
    expect(parseAibotObject({ ...noChat, chattype: 'single' })).toMatchObject({ chatType: 'single' });
    expect(() => parseAibotObject(noChat)).toThrow(AibotPayloadRejectedError);
  });

  it('refuses what jsonb cannot store or what is built to exhaust the parser', () => {
    for (const bad of ['a\u0000b', '\ud800', 'x\udfffy']) {
      expect(() => parseAibotObject({ ...groupText, text: { content: bad } })).toThrow(AibotPayloadRejectedError);
      expect(() => parseAibotObject({ ...groupText, [bad]: 1 })).toThrow(AibotPayloadRejectedError);
    }
    const deep = `${'['.repeat(50_000)}${']'.repeat(50_000)}`;
    expect(() => parseAibotPayload(`{"a":${deep}}`)).toThrow(AibotPayloadRejectedError);
    expect(() => parseAibotObject({ ...groupText, response_url: 'javascript:alert(1)' })).toThrow(AibotPayloadRejectedError);
    expect(() => parseAibotPayload('')).toThrow(AibotPayloadRejectedError);
  });

  it('never crashes on arbitrary strings, and accepts none that is not a valid payload', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 300 }), (input) => {
        expect(outcome(() => parseAibotPayload(input))).toBe('rejected');
      }),
      { numRuns: 2000 },
    );
  });

  it('never crashes on arbitrary JSON; whatever it accepts has the fields the inbox relies on', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 6 }), (value) => {
        const text = JSON.stringify(value);
        if (outcome(() => parseAibotPayload(text)) === 'rejected') return;
        const payload = parseAibotPayload(text);
        expect(payload.msgid.length).toBeGreaterThan(0);
        expect(payload.fromUserId.length).toBeGreaterThan(0);
      }),
      { numRuns: 1000 },
    );
  });

  it('refuses every valid message with one required field removed or given the wrong type', () => {
    const required: Array<[string, ...string[]]> = [['msgid'], ['aibotid'], ['chattype'], ['from'], ['from', 'userid'], ['msgtype'], ['text'], ['text', 'content'], ['chatid']];
    const wrong = fc.oneof(fc.integer(), fc.boolean(), fc.constant(null), fc.array(fc.string(), { maxLength: 2 }), fc.constant(''));
    fc.assert(
      fc.property(fc.constantFrom(...required), fc.boolean(), wrong, (path, remove, replacement) => {
        const copy = structuredClone(groupText) as Record<string, unknown>;
        let node = copy;
        for (const key of path.slice(0, -1)) node = node[key] as Record<string, unknown>;
        const last = path[path.length - 1]!;
        if (remove) delete node[last];
        else node[last] = replacement;
        // An empty text content is a valid (if useless) message; everything else here must be refused.
        if (!remove && last === 'content' && replacement === '') return;
        expect(outcome(() => parseAibotObject(copy))).toBe('rejected');
      }),
      { numRuns: 500 },
    );
  });

  it('accepts a valid message whatever its text, and keeps the text unchanged', () => {
    const storable = fc.string({ unit: 'grapheme', maxLength: 200 }).filter((s) => !s.includes('\u0000'));
    fc.assert(
      fc.property(storable, (content) => {
        const payload = parseAibotObject({ ...groupText, text: { content } });
        expect(payload.type === 'message' && payload.text).toBe(content);
      }),
      { numRuns: 500 },
    );
  });
});

describe('stripping the bot mention', () => {
  it('removes the leading mention, U+2005 separator included, and nothing else', () => {
    expect(stripBotMention('@招聘助手 今天有哪些面试', 'group')).toBe('今天有哪些面试');
    expect(stripBotMention('@招聘助手\u2005约面 张三', 'group', '招聘助手')).toBe('约面 张三');
    expect(stripBotMention('@招聘助手机器人 你好', 'group', '招聘助手')).toBe('你好');
    expect(stripBotMention('  帮助 ', 'single')).toBe('帮助');
    expect(stripBotMention('@张三 的面试', 'single')).toBe('@张三 的面试');
    expect(stripBotMention('@招聘助手', 'group', '招聘助手')).toBe('');
  });

  it('never throws and never leaves outer whitespace', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 100 }), fc.constantFrom<'group' | 'single'>('group', 'single'), fc.option(fc.string({ maxLength: 10 }), { nil: undefined }), (text, chatType, name) => {
        const stripped = stripBotMention(text, chatType, name);
        expect(stripped).toBe(stripped.trim());
        expect(text.includes(stripped)).toBe(true);
      }),
    );
  });
});
