import { describe, expect, it } from 'vitest';
import { forbiddenInferences } from './inference-guard';

describe('the forbidden-inference guard', () => {
  it('finds emotion, personality, accent, appearance and culture-fit words in Chinese and English', () => {
    expect(forbiddenInferences('候选人回答时有些紧张，性格偏内向')).toEqual(['性格', '紧张', '内向']);
    expect(forbiddenInferences('口音较重，长相端正')).toEqual(['口音', '长相']);
    expect(forbiddenInferences('与团队文化契合度高')).toEqual(['文化契合']);
    expect(forbiddenInferences('Seemed NERVOUS; a strong Culture Fit')).toEqual(['culture fit', 'nervous']);
    expect(forbiddenInferences('Confident delivery')).toEqual(['confident']);
  });

  it('passes rationales about what the candidate said and did', () => {
    expect(forbiddenInferences('候选人负责高并发架构重构，吞吐提升 3 倍，延迟降低 60%')).toEqual([]);
    expect(forbiddenInferences('Led the redesign; latency fell by 60% (situation, action and result covered)')).toEqual([]);
    // English terms match whole words only: "accentuate" or "shyness-free" prose is not the word itself.
    expect(forbiddenInferences('accentuated the trade-offs')).toEqual([]);
  });
});
