import { describe, expect, it } from 'vitest';
import { maskContactsInText, resumeHighlights } from './brief';
import { analyseStar, coverage, detectQuantifiedResults, draftLevel, promptsForAnswer, type CompetencyText } from './prompts';

const model: CompetencyText[] = [
  {
    id: 'c-tech', name: '系统设计', description: '高并发系统的架构与性能优化',
    questions: [{ id: 'q-tech', text: '讲一个你设计的高并发系统。', followUps: ['瓶颈在哪里？', '结果如何？能用数据说明吗？'] }],
  },
  {
    id: 'c-team', name: '协作沟通', description: '跨团队推动与沟通',
    questions: [{ id: 'q-team', text: '说说一次跨团队推动项目的经历。', followUps: ['对方反对时你怎么做？'] }],
  },
];

describe('STAR analysis', () => {
  it('finds every part of a complete answer and asks nothing', () => {
    const a = analyseStar('当时公司的订单系统经常超时，我负责性能优化，我先分析了慢查询然后重构了缓存，最终延迟降低了 60%。');
    expect(a.missing).toEqual([]);
    expect(a.probe).toBeNull();
    expect(a.present.result).toContain('最终');
  });

  it('asks for the result with data when the answer stops at the action', () => {
    const a = analyseStar('当时项目很紧，我负责后端，我先拆分了服务，然后推动测试同学一起压测。');
    expect(a.missing).toEqual(['result']);
    expect(a.probe).toBe('结果如何？能用数据说明吗？');
  });

  it('counts a figure as a result even without a cue word, and reports situation and task when missing', () => {
    const a = analyseStar('我重构了缓存，QPS 从 2000 到 8000。');
    expect(a.present.result).toBeDefined();
    expect(a.missing).toEqual(['situation', 'task']);
    expect(a.probe).toBe('您在其中具体负责什么？目标是什么？');
  });
});

describe('quantified results', () => {
  it('detects percentages, multiples, 万/千/亿 amounts and numbers with units', () => {
    const found = detectQuantifiedResults('转化率提升 12.5%，成本降了百分之三十，性能提升 3 倍，节省 200万元，用户五千万，延迟 80ms');
    expect(found.map((f) => f.kind)).toEqual(['percent', 'percent', 'multiple', 'amount', 'amount', 'number']);
    expect(found.map((f) => f.text)).toContain('200万元');
  });

  it('finds nothing in an answer without figures', () => {
    expect(detectQuantifiedResults('我们做得很好，大家都很满意。')).toEqual([]);
  });
});

describe('prompts for an answer', () => {
  it('offers the follow-ups of the marked question', () => {
    const p = promptsForAnswer('我负责搭建了消息队列', model, 'q-team');
    expect(p.followUps).toEqual([{ questionId: 'q-team', text: '对方反对时你怎么做？' }]);
  });

  it('without a marked question, offers the follow-ups of the competency the answer talks about', () => {
    const p = promptsForAnswer('我们的高并发系统在大促时架构扛不住', model, null);
    expect(p.followUps.map((f) => f.questionId)).toEqual(['q-tech', 'q-tech']);
  });

  it('never produces anything about emotion, personality, accent, appearance or culture fit', () => {
    const p = promptsForAnswer('我很紧张，性格内向，口音比较重，长得一般，不太适应公司文化。', model, null);
    const text = JSON.stringify(p);
    for (const word of ['情绪', '性格', '口音', '外貌', '文化契合', 'emotion', 'personality', 'accent', 'appearance', 'culture']) expect(text).not.toContain(word);
  });
});

describe('coverage and drafts', () => {
  it('counts a segment as evidence when said under a marked question or when it mentions the competency’s terms', () => {
    const items = coverage(model, [
      { id: 's1', text: '我设计过高并发的架构，做过性能优化', questionId: null },
      { id: 's2', text: '随便聊聊', questionId: 'q-team' },
      { id: 's3', text: '天气不错', questionId: null },
    ]);
    expect(items).toEqual([
      { competencyId: 'c-tech', name: '系统设计', evidenceCount: 1, covered: true },
      { competencyId: 'c-team', name: '协作沟通', evidenceCount: 1, covered: true },
    ]);
    expect(coverage(model, [{ id: 's3', text: '天气不错', questionId: null }]).every((c) => !c.covered)).toBe(true);
  });

  it('drafts a higher level for complete, quantified evidence than for a bare claim', () => {
    expect(draftLevel(['当时公司系统超时，我负责优化，我先分析然后重构，最终延迟降低了 60%。']).level).toBe(4);
    expect(draftLevel(['我做过一些优化。']).level).toBeLessThanOrEqual(2);
  });
});

describe('candidate brief', () => {
  it('masks phone numbers, e-mail and ID numbers inside résumé text', () => {
    const masked = maskContactsInText('电话 13912345678，邮箱 xiaoyu.lin@example.com，身份证 110105194912310021');
    expect(masked).toBe('电话 139****5678，邮箱 x***@example.com，身份证 110***********0021');
  });

  it('highlights résumé lines matching competency terms, with the terms as the reason', () => {
    const h = resumeHighlights('2019-2023 某电商：负责高并发订单系统架构设计，性能优化 3 倍\n爱好：篮球\n联系电话 13912345678', model);
    expect(h).toHaveLength(1);
    expect(h[0]).toMatchObject({ competencyId: 'c-tech' });
    expect(h[0]!.matchedTerms).toEqual(expect.arrayContaining(['高并', '架构', '性能']));
    expect(JSON.stringify(h)).not.toContain('13912345678');
  });
});
