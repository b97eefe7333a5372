import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { commandSpecs, helpText, parseCommand } from './commands';
import { readPeriod } from './handlers/funnel';

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
    expect(parseCommand('报表')).toEqual({ ok: true, command: { name: 'report', period: '本月' } });
    expect(help).toContain('· 报表 <期间，如 本月> — 招聘周期、未到场率、面试官负荷（三张图和摘要）');
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

  it('parses a generated corpus of 报表 phrasings to the period the charts use (property)', () => {
    const periods = fc.constantFrom(
      ['本月', 'month'], ['这个月', 'month'], ['近7天', '7d'], ['七天', '7d'], ['本周', '7d'], ['近30天', '30d'], ['近一个月', '30d'],
      ['近90天', '90d'], ['近三个月', '90d'], ['本季度', 'quarter'], ['这季度', 'quarter'], ['今年', 'year'], ['本年', 'year'],
    );
    const word = fc.constantFrom('报表', 'report', 'REPORT', 'Report', '招聘周期', '报表');
    const spacer = fc.constantFrom(' ', '  ', '\u3000');
    fc.assert(
      fc.property(word, periods, spacer, fc.boolean(), fc.boolean(), (command, [said, code], space, glued, fullWidth) => {
        // 报表本月 (no space) names the command too; full-width digits are read as digits.
        const text = glued && command === '报表' ? `${command}${said}` : [command, said].join(space);
        const typed = fullWidth ? text.replace(/[0-9]/g, (d) => String.fromCharCode(d.charCodeAt(0) + 0xfee0)) : text;
        const result = parseCommand(typed);
        expect(result).toEqual({ ok: true, command: { name: 'report', period: said } });
        expect(readPeriod(said)).toMatchObject({ period: code });
      }),
      { seed: 2026_12_04, numRuns: 500 },
    );
    expect(parseCommand('报表 上辈子')).toEqual({ ok: true, command: { name: 'report', period: '上辈子' } });
    expect(readPeriod('上辈子')).toBeUndefined();
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
