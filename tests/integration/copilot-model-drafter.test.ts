import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from '@hirebridge/simulator';
import { openAiCompatibleDrafter, type DrafterLog } from '../../server/src/adapters/llm/openai-compatible';
import { ruleBasedDrafter, type DraftInput } from '../../server/src/features/copilot/drafter';

/**
 * The OpenAI-compatible scorecard drafter against the simulator's Chat Completions endpoint: the wire request, the
 * model's items mapped back to real ids, every kind of bad item dropped and counted, and every failure drafting with
 * the rules instead (and saying why).
 */
let sim: Simulator;
const key = 'sk-sim-hirebridge';
const logs: { level: 'info' | 'warn'; object: Record<string, unknown>; message: string }[] = [];
const log: DrafterLog = {
  info: (object, message) => logs.push({ level: 'info', object, message }),
  warn: (object, message) => logs.push({ level: 'warn', object, message }),
};
const ids = { design: '11111111-1111-4111-8111-111111111111', collab: '22222222-2222-4222-8222-222222222222', other: '33333333-3333-4333-8333-333333333333' };
const seg = (n: number) => `aaaaaaaa-0000-4000-8000-00000000000${n}`;
const rubric = [1, 2, 3, 4].map((level) => ({ level, label: `L${level}`, description: `等级 ${level} 的行为描述` }));
const input: DraftInput = {
  competencies: [
    { id: ids.design, name: '系统设计', description: '高并发系统的架构与性能优化', questions: [], rubric },
    { id: ids.collab, name: '协作沟通', description: '跨团队推动与沟通', questions: [], rubric },
    { id: ids.other, name: '英语能力', description: '英文文档阅读', questions: [], rubric },
  ],
  segments: [
    { id: seg(1), text: '当时订单系统在大促时扛不住，我负责高并发架构的重构', questionId: null },
    { id: seg(2), text: '我把服务拆分，加了缓存，架构调整后峰值吞吐提升了 3 倍', questionId: null },
    { id: seg(3), text: '性能优化之后，延迟从 800 毫秒降到 120 毫秒', questionId: null },
    { id: seg(4), text: '我每周和产品、测试跨团队沟通进度', questionId: null },
    { id: seg(5), text: '周末我喜欢打篮球', questionId: null },
  ],
};
const drafter = (overrides: Partial<Parameters<typeof openAiCompatibleDrafter>[0]> = {}) =>
  openAiCompatibleDrafter({ baseUrl: `${sim.url}/v1`, model: 'qwen2.5-7b-instruct', apiKey: key, timeoutMs: 3000, log, ...overrides });

beforeAll(async () => {
  sim = await startSimulator();
});
afterAll(async () => {
  await sim?.stop();
});
beforeEach(() => {
  sim.llm.reset();
  logs.length = 0;
});

describe('the OpenAI-compatible drafter', () => {
  it('sends a Chat Completions request and maps the model’s cited items back to real competencies and segments', async () => {
    const outcome = await drafter().draftWithReport(input);
    expect(outcome.report).toEqual({ name: 'model', dropped: { unknownSegment: 0, unknownCompetency: 0, noCitation: 0, forbiddenInference: 0, malformed: 0 } });
    expect(outcome.suggestions).toEqual([
      { competencyId: ids.design, suggestedLevel: 4, rationale: expect.stringContaining('模型草稿'), segmentIds: [seg(1), seg(2), seg(3)] },
      { competencyId: ids.collab, suggestedLevel: 1, rationale: expect.stringContaining('沟通'), segmentIds: [seg(4)] },
    ]);
    // The wire request: one POST with the model, temperature 0, JSON mode and the bearer key; the model sees labels, not ids.
    expect(sim.llm.requests).toHaveLength(1);
    const request = sim.llm.requests[0]!;
    expect(request.status).toBe(200);
    expect(request.authorization).toBe(`Bearer ${key}`);
    const body = request.body as { model: string; temperature: number; response_format: unknown; messages: { role: string; content: string }[] };
    expect(body).toMatchObject({ model: 'qwen2.5-7b-instruct', temperature: 0, response_format: { type: 'json_object' } });
    expect(body.messages.map((m) => m.role)).toEqual(['system', 'user']);
    expect(body.messages[0]!.content).toMatch(/culture fit/);
    const payload = JSON.parse(body.messages[1]!.content) as { competencies: { id: string; rubric: unknown[] }[]; segments: { id: string; text: string }[] };
    expect(payload.competencies.map((c) => c.id)).toEqual(['C1', 'C2', 'C3']);
    expect(payload.competencies[0]!.rubric).toHaveLength(4);
    expect(payload.segments.map((s) => s.id)).toEqual(['S1', 'S2', 'S3', 'S4', 'S5']);
    expect(JSON.stringify(body)).not.toContain(seg(1));
    expect(logs.map((l) => l.level)).toEqual(['info']);
  });

  it('drops an item citing a segment that was not in the input', async () => {
    sim.llm.fail({ kind: 'invented_citation' });
    const outcome = await drafter().draftWithReport(input);
    expect(outcome.report.name).toBe('model');
    expect(outcome.report.dropped).toMatchObject({ unknownSegment: 1 });
    expect(outcome.suggestions.map((s) => s.competencyId)).toEqual([ids.collab]);
  });

  it('drops and counts an item whose rationale infers emotion or personality, and one without citations', async () => {
    sim.llm.fail({ kind: 'forbidden_inference' });
    const guarded = await drafter().draftWithReport(input);
    expect(guarded.report.dropped).toMatchObject({ forbiddenInference: 1 });
    expect(guarded.suggestions.map((s) => s.competencyId)).toEqual([ids.collab]);
    expect(JSON.stringify(guarded.suggestions)).not.toMatch(/紧张|性格|nervous/);
    sim.llm.fail({ kind: 'no_citation' });
    const uncited = await drafter().draftWithReport(input);
    expect(uncited.report.dropped).toMatchObject({ noCitation: 1 });
    expect(uncited.suggestions.map((s) => s.competencyId)).toEqual([ids.collab]);
  });

  it('drafts with the rules and says why when the model answers something other than JSON', async () => {
    sim.llm.fail({ kind: 'invalid_json' });
    const outcome = await drafter().draftWithReport(input);
    expect(outcome.report).toEqual({ name: 'rules', fallbackReason: 'invalid_json' });
    expect(outcome.suggestions).toEqual(await ruleBasedDrafter.draft(input));
    expect(logs.find((l) => l.level === 'warn')?.object).toMatchObject({ fallbackReason: 'invalid_json' });
  });

  it('falls back on a wrong key with a clear log line that does not hold the key', async () => {
    const outcome = await drafter({ apiKey: 'sk-wrong-key-123' }).draftWithReport(input);
    expect(outcome.report).toEqual({ name: 'rules', fallbackReason: 'http_401' });
    expect(sim.llm.requests.map((r) => r.status)).toEqual([401]);
    const warning = logs.find((l) => l.level === 'warn')!;
    expect(warning.message).toMatch(/drafted with the rules/);
    // The error's code and type, never its message text (gateways echo the request — candidates' words — in it).
    expect(String(warning.object.detail)).toMatch(/401: invalid_api_key \/ invalid_request_error/);
    expect(JSON.stringify(logs)).not.toContain('Incorrect API key');
    expect(JSON.stringify(logs)).not.toContain('sk-wrong-key-123');
    // An unknown model is a 404 from the endpoint, the same fallback.
    expect((await drafter({ model: 'gpt-unknown' }).draftWithReport(input)).report).toEqual({ name: 'rules', fallbackReason: 'http_404' });
  });

  it('retries once after a 429, honouring Retry-After', async () => {
    sim.llm.limitRate(1, 1);
    const outcome = await drafter().draftWithReport(input);
    expect(outcome.report.name).toBe('model');
    expect(sim.llm.requests.map((r) => r.status)).toEqual([429, 200]);
    const gap = sim.llm.requests[1]!.at.getTime() - sim.llm.requests[0]!.at.getTime();
    expect(gap).toBeGreaterThanOrEqual(900);
    // A second 429 is not retried again; a Retry-After beyond the bound is not waited for.
    sim.llm.reset();
    sim.llm.limitRate(2, 1);
    expect((await drafter().draftWithReport(input)).report).toEqual({ name: 'rules', fallbackReason: 'http_429' });
    sim.llm.reset();
    sim.llm.limitRate(1, 30);
    expect((await drafter().draftWithReport(input)).report).toEqual({ name: 'rules', fallbackReason: 'http_429' });
    expect(sim.llm.requests.map((r) => r.status)).toEqual([429]);
  });

  it('retries once after a server error', async () => {
    sim.llm.fail({ kind: 'server_error', status: 503 });
    const outcome = await drafter().draftWithReport(input);
    expect(outcome.report.name).toBe('model');
    expect(sim.llm.requests.map((r) => r.status)).toEqual([503, 200]);
  });

  it('falls back to the rules when the model is slower than the timeout', async () => {
    sim.llm.fail({ kind: 'slow', delayMs: 1500 });
    const outcome = await drafter({ timeoutMs: 500 }).draftWithReport(input);
    expect(outcome.report).toEqual({ name: 'rules', fallbackReason: 'timeout' });
    expect(sim.llm.requests.map((r) => r.status)).toEqual([0]);
    expect(outcome.suggestions).toEqual(await ruleBasedDrafter.draft(input));
  });

  it('asks again without response_format when the server does not support JSON mode', async () => {
    sim.llm.supportsJsonMode = false;
    try {
      const d = drafter();
      expect((await d.draftWithReport(input)).report.name).toBe('model');
      expect(sim.llm.requests.map((r) => [r.status, 'response_format' in (r.body as object)])).toEqual([[400, true], [200, false]]);
      await d.draftWithReport(input);
      expect(sim.llm.requests.map((r) => r.status)).toEqual([400, 200, 200]);
    } finally {
      sim.llm.supportsJsonMode = true;
    }
  });

  it('falls back when nothing listens at the endpoint', async () => {
    const outcome = await drafter({ baseUrl: 'http://127.0.0.1:9/v1' }).draftWithReport(input);
    expect(outcome.report).toEqual({ name: 'rules', fallbackReason: 'network' });
  });
});

describe('rewording the STAR probe', () => {
  const probeInput = { answer: '当时项目很紧，我负责后端，我先拆分了服务', missing: ['result'] as const, probe: '结果如何？能用数据说明吗？' };

  it('rewords the rule’s probe for the current answer, in one short call without retry', async () => {
    expect(await drafter().rephrase(probeInput)).toEqual({ probe: '关于「当时项目很紧」：结果如何？能用数据说明吗？', source: 'model' });
    const body = sim.llm.requests[0]!.body as { messages: { content: string }[] };
    expect(JSON.parse(body.messages[1]!.content)).toEqual({ task: 'rephrase_probe', answer: probeInput.answer, missing: ['result'], probe: probeInput.probe });
    sim.llm.fail({ kind: 'server_error', status: 503 });
    expect(await drafter().rephrase(probeInput)).toEqual({ probe: probeInput.probe, source: 'rules', fallbackReason: 'http_503' });
    expect(sim.llm.requests.map((r) => r.status)).toEqual([200, 503]);
  });

  it('keeps the rule text when the wording infers emotion, is not JSON, or is late', async () => {
    sim.llm.fail({ kind: 'forbidden_inference' });
    expect(await drafter().rephrase(probeInput)).toEqual({ probe: probeInput.probe, source: 'rules', fallbackReason: 'forbidden_inference' });
    sim.llm.fail({ kind: 'invalid_json' });
    expect(await drafter().rephrase(probeInput)).toEqual({ probe: probeInput.probe, source: 'rules', fallbackReason: 'invalid_json' });
    // The configured timeout is 3000 ms; a typed prompt waits at most 1500 ms.
    sim.llm.fail({ kind: 'slow', delayMs: 2500 });
    expect(await drafter({ timeoutMs: 3000 }).rephrase(probeInput)).toEqual({ probe: probeInput.probe, source: 'rules', fallbackReason: 'timeout' });
  });
});
