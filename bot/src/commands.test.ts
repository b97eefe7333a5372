import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { commandSpecs, helpText, parseCommand } from './commands';

const lilei = { id: 'lilei', name: '李雷' };
const hanmei = { id: 'hanmeimei', name: '韩梅梅' };

describe('bot command grammar', () => {
  it('parses 约面 with a time or with the candidate choosing, panel from @-mentions', () => {
    expect(parseCommand('约面 张三 后端工程师 明天下午3点 @李雷 @韩梅梅', [lilei, hanmei])).toEqual({
      ok: true,
      command: { name: 'schedule', candidate: '张三', job: '后端工程师', time: '明天下午3点', panel: [lilei, hanmei] },
    });
    expect(parseCommand('约面 5678 产品经理 让候选人选时间 @李雷', [lilei])).toMatchObject({ ok: true, command: { candidate: '5678', time: null } });
    expect(parseCommand('schedule 张三 后端 下周二上午十点半 @李雷', [lilei])).toMatchObject({ ok: true, command: { name: 'schedule', time: '下周二上午十点半' } });
    // Full-width input and no space after the command word.
    expect(parseCommand('约面张三　后端工程师　周五１４：００－１５：００ @李雷', [lilei])).toMatchObject({ ok: true, command: { candidate: '张三', time: '周五14:00-15:00' } });
  });

  it('says what is missing, with the usage line, instead of guessing', () => {
    const noPanel = parseCommand('约面 张三 后端工程师 明天下午3点');
    expect(noPanel).toEqual({ ok: false, message: '还缺少面试官（请 @ 面试官）。用法：约面 <候选人姓名或手机尾号> <职位> <时间|让候选人选时间> @面试官' });
    expect(parseCommand('改期 张三')).toMatchObject({ ok: false, message: expect.stringMatching(/^还缺少新时间。/) });
    expect(parseCommand('取消 张三')).toMatchObject({ ok: false, message: expect.stringMatching(/^还缺少原因。/) });
    expect(parseCommand('你好呀')).toMatchObject({ ok: false, message: expect.stringMatching(/^没听懂“你好呀”。发送“帮助”/) });
  });

  it('knows every command by its Chinese word and its English alias, and lists each in 帮助 with one usage line', () => {
    for (const spec of commandSpecs) {
      for (const word of [spec.zh, ...spec.aliases]) {
        // Commands without arguments run; the others ask for what is missing, quoting their own usage line.
        const result = parseCommand(word);
        if (result.ok) expect(result.command.name).toBe(spec.name);
        else expect(result.message).toContain(spec.usage);
      }
    }
    const help = helpText().split('\n');
    expect(help).toHaveLength(commandSpecs.length + 1);
    expect(parseCommand('')).toEqual({ ok: true, command: { name: 'help' } });
    expect(parseCommand('漏斗 后端工程师')).toEqual({ ok: true, command: { name: 'funnel', job: '后端工程师', period: '近30天' } });
    expect(parseCommand('满意度')).toEqual({ ok: true, command: { name: 'satisfaction', job: null } });
  });

  it('never throws, and answers garbage with a helpful message (property)', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 600 }), fc.array(fc.record({ id: fc.string({ minLength: 1, maxLength: 8 }), name: fc.string({ maxLength: 6 }) }), { maxLength: 3 }), (text, mentions) => {
        const result = parseCommand(text, mentions);
        if (!result.ok) expect(result.message).toMatch(/帮助|用法|太长/);
      }),
      { seed: 20261122, numRuns: 2000 },
    );
  });

  it('parses a generated corpus of 约面 phrasings back to their parts (property)', () => {
    const word = fc.stringMatching(/^[\u4e00-\u9fa5A-Za-z0-9]{1,6}$/);
    const time = fc.constantFrom('明天下午3点', '下周二上午十点半', '周五14:00-15:00', '后天', '3月5日 10:00', '让候选人选时间');
    const spacer = fc.constantFrom(' ', '  ', '\u3000');
    fc.assert(
      fc.property(fc.constantFrom('约面', 'schedule', 'SCHEDULE'), word, word, time, spacer, (command, candidate, job, when, space) => {
        const text = [command, candidate, job, when, '@李雷'].join(space);
        const result = parseCommand(text, [lilei]);
        expect(result).toEqual({
          ok: true,
          command: { name: 'schedule', candidate, job, time: when === '让候选人选时间' ? null : when.replace(/\s+/g, ' '), panel: [lilei] },
        });
      }),
      { seed: 7, numRuns: 500 },
    );
  });
});
