import { z } from 'zod';
import { forbiddenInferences } from '../../domain/copilot/inference-guard';
import {
  ruleBasedDrafter,
  type DraftInput,
  type DraftOutcome,
  type DraftReport,
  type DraftSuggestion,
  type ProbePhraser,
  type ScorecardDrafter,
} from '../../features/copilot/drafter';
import type { StarPart } from '../../domain/copilot/prompts';

/**
 * A company's own OpenAI-compatible model endpoint (an on-prem Qwen or DeepSeek behind vLLM, Ollama, Xinference…)
 * as the ScorecardDrafter. Speaks the Chat Completions wire format: POST {baseUrl}/chat/completions. The model only
 * suggests, and only what it can cite: items citing unknown segments or competencies, items without citations and
 * rationales that infer emotion, personality, accent, appearance or culture fit are dropped (and counted). Any failure
 * (timeout, non-2xx, unparseable answer) drafts with the rules instead and says so; the interviewer's request never
 * fails because of the model.
 */
export interface OpenAiCompatibleOptions {
  /** Base URL ending before /chat/completions, e.g. https://llm.internal.example.com/v1. */
  readonly baseUrl: string;
  readonly model: string;
  /** Sent as `Authorization: Bearer …` when set; never logged. */
  readonly apiKey?: string | undefined;
  /** Per attempt. */
  readonly timeoutMs: number;
  /** The longest Retry-After honoured for the one retry on 429/5xx; a longer one falls back at once. Default 2000. */
  readonly maxRetryDelayMs?: number;
  readonly log?: DrafterLog;
  readonly fetch?: typeof fetch;
}

/** The part of the logger the adapter uses (pino's signature: an object, then the message). */
export interface DrafterLog {
  info(object: Record<string, unknown>, message: string): void;
  warn(object: Record<string, unknown>, message: string): void;
}

/** Why a model call failed; `reason` is the stable fallback reason shown in the draft result. */
export class ModelCallError extends Error {
  constructor(readonly reason: string, message: string) {
    super(message);
    this.name = 'ModelCallError';
  }
}

const chatResponse = z.object({
  choices: z
    .array(z.object({ message: z.object({ content: z.string().nullable() }), finish_reason: z.string().nullable().optional() }))
    .min(1),
});

/** What the model must answer: a JSON object with one item per competency it has evidence for. */
const draftAnswer = z.object({ items: z.array(z.unknown()).max(100) });
const draftAnswerItem = z
  .object({
    competencyId: z.string().min(1).max(40),
    suggestedLevel: z.number().int().min(1).max(4),
    rationale: z.string().trim().min(1).max(2000),
    segmentIds: z.array(z.string().min(1).max(40)).max(50),
  })
  .strict();

const systemPrompt = [
  '你是面试评分卡起草助手。You draft interview scorecard items for a human interviewer, who accepts or edits each one.',
  'Input: a JSON object with "competencies" (id, name, description, rubric levels 1-4) and "segments" (id, text) of the interview transcript.',
  'For each competency the transcript gives evidence for, answer one item: {"competencyId", "suggestedLevel" (1-4, per the rubric), "rationale" (short, Chinese first, about what the candidate said and did), "segmentIds" (the ids of the segments the item rests on)}.',
  'Cite only segment ids from the input; skip a competency without evidence. Judge only the content of the answers (situation, task, action, result, figures).',
  'Never infer or mention emotion, personality, nervousness, confidence, accent, appearance, age, gender or "culture fit" (不推断情绪、性格、口音、外貌、文化契合).',
  'Answer with one JSON object only: {"items": [...]}.',
].join('\n');

export function openAiCompatibleDrafter(options: OpenAiCompatibleOptions): ScorecardDrafter & ProbePhraser & { draftWithReport(input: DraftInput): Promise<DraftOutcome> } {
  const url = `${options.baseUrl.replace(/\/+$/, '')}/chat/completions`;
  const doFetch = options.fetch ?? fetch;
  const maxRetryDelayMs = options.maxRetryDelayMs ?? 2000;
  // Servers that refuse response_format (older vLLM, some gateways) are asked again without it, and remembered.
  let jsonMode = true;

  async function post(body: Record<string, unknown>, timeoutMs: number): Promise<Response> {
    const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json' };
    if (options.apiKey) headers.authorization = `Bearer ${options.apiKey}`;
    try {
      return await doFetch(url, { method: 'POST', headers, body: JSON.stringify(body), signal: AbortSignal.timeout(timeoutMs) });
    } catch (error) {
      const name = (error as Error).name;
      if (name === 'TimeoutError' || name === 'AbortError') throw new ModelCallError('timeout', `no answer within ${timeoutMs} ms`);
      throw new ModelCallError('network', `cannot reach the model endpoint (${(error as Error).message})`);
    }
  }

  /**
   * What an error answer says, for the log: its error code and type only, never its message text — gateways echo the
   * request (candidates' answers, transcript) back in their messages.
   */
  async function errorText(response: Response): Promise<string> {
    return describeError(await response.text().catch(() => ''));
  }
  function describeError(text: string): string {
    try {
      const error = (JSON.parse(text) as { error?: { code?: unknown; type?: unknown } }).error;
      const word = (v: unknown) => (typeof v === 'string' && /^[\w.-]{1,64}$/.test(v) ? v : null);
      const code = word(error?.code);
      const type = word(error?.type);
      if (code || type) return [code, type].filter(Boolean).join(' / ');
    } catch {
      // not JSON: fall through
    }
    return `${text.length} bytes, not shown`;
  }

  /** One chat completion; one retry on 429/5xx after Retry-After (bounded); the content of the first choice. */
  async function complete(messages: { role: 'system' | 'user'; content: string }[], call: { timeoutMs: number; retry: boolean } = { timeoutMs: options.timeoutMs, retry: true }): Promise<string> {
    const body = () => ({ model: options.model, messages, temperature: 0, ...(jsonMode && { response_format: { type: 'json_object' } }) });
    let response = await post(body(), call.timeoutMs);
    if (response.status === 400 && jsonMode) {
      const raw = await response.text().catch(() => '');
      const text = describeError(raw);
      // Read here, never logged: whether the refusal is about JSON mode.
      if (/response_format|json_object/i.test(raw)) {
        jsonMode = false;
        response = await post(body(), call.timeoutMs);
      } else {
        throw new ModelCallError('http_400', `the model endpoint refused the request: ${text}`);
      }
    }
    if (call.retry && (response.status === 429 || response.status >= 500)) {
      const delay = retryDelayMs(response.headers.get('retry-after'));
      const first = `${response.status}: ${await errorText(response)}`;
      if (delay > maxRetryDelayMs) throw new ModelCallError(`http_${response.status}`, `${first}; Retry-After ${delay} ms is longer than ${maxRetryDelayMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, delay));
      response = await post(body(), call.timeoutMs);
    }
    if (!response.ok) throw new ModelCallError(`http_${response.status}`, `the model endpoint answered ${response.status}: ${await errorText(response)}`);
    let json: unknown;
    try {
      json = await response.json();
    } catch {
      throw new ModelCallError('invalid_response', 'the model endpoint answered something other than JSON');
    }
    const parsed = chatResponse.safeParse(json);
    if (!parsed.success) throw new ModelCallError('invalid_response', 'the answer is not a chat completion (no choices[0].message.content)');
    const content = parsed.data.choices[0]!.message.content;
    if (content === null) throw new ModelCallError('invalid_response', 'the model answered without content');
    return content;
  }

  async function draftWithReport(input: DraftInput): Promise<DraftOutcome> {
    const started = Date.now();
    try {
      const { suggestions, dropped } = await draftByModel(input);
      const report: DraftReport = { name: 'model', dropped };
      options.log?.info({ drafter: 'model', model: options.model, items: suggestions.length, dropped, ms: Date.now() - started }, 'copilot draft by the model');
      return { suggestions, report };
    } catch (error) {
      const reason = error instanceof ModelCallError ? error.reason : 'error';
      options.log?.warn(
        { drafter: 'model', model: options.model, fallbackReason: reason, detail: (error as Error).message, ms: Date.now() - started },
        'copilot model draft failed; drafted with the rules instead',
      );
      return { suggestions: await ruleBasedDrafter.draft(input), report: { name: 'rules', fallbackReason: reason } };
    }
  }

  async function draftByModel(input: DraftInput) {
    // Short labels (C1, S1) instead of UUIDs: models copy them faithfully, and anything else is recognisably invented.
    const competencyOf = new Map(input.competencies.map((c, i) => [`C${i + 1}`, c.id]));
    const segmentOf = new Map(input.segments.map((s, i) => [`S${i + 1}`, s.id]));
    const payload = {
      competencies: input.competencies.map((c, i) => ({
        id: `C${i + 1}`,
        name: c.name,
        description: c.description,
        rubric: (c.rubric ?? []).map((r) => ({ level: r.level, label: r.label, description: r.description })),
      })),
      segments: input.segments.map((s, i) => ({ id: `S${i + 1}`, text: s.text })),
    };
    const content = await complete([
      { role: 'system', content: systemPrompt },
      { role: 'user', content: JSON.stringify(payload) },
    ]);
    let answer: unknown;
    try {
      answer = JSON.parse(stripFence(content));
    } catch {
      throw new ModelCallError('invalid_json', 'the model did not answer JSON');
    }
    const parsed = draftAnswer.safeParse(answer);
    if (!parsed.success) throw new ModelCallError('invalid_answer', 'the model’s JSON is not {"items": [...]}');
    const dropped = { unknownSegment: 0, unknownCompetency: 0, noCitation: 0, forbiddenInference: 0, malformed: 0 };
    const suggestions: DraftSuggestion[] = [];
    const seen = new Set<string>();
    for (const raw of parsed.data.items) {
      const item = draftAnswerItem.safeParse(raw);
      if (!item.success) {
        dropped.malformed += 1;
        continue;
      }
      const competencyId = competencyOf.get(item.data.competencyId);
      if (!competencyId || seen.has(competencyId)) {
        dropped.unknownCompetency += 1;
        continue;
      }
      if (item.data.segmentIds.length === 0) {
        dropped.noCitation += 1;
        continue;
      }
      if (item.data.segmentIds.some((id) => !segmentOf.has(id))) {
        dropped.unknownSegment += 1;
        continue;
      }
      if (forbiddenInferences(item.data.rationale).length > 0) {
        dropped.forbiddenInference += 1;
        continue;
      }
      seen.add(competencyId);
      suggestions.push({
        competencyId,
        suggestedLevel: item.data.suggestedLevel as 1 | 2 | 3 | 4,
        rationale: item.data.rationale,
        segmentIds: [...new Set(item.data.segmentIds)].map((id) => segmentOf.get(id)!),
      });
    }
    return { suggestions, dropped };
  }

  /** The rule's probe reworded for this answer: one short call, no retry; the rule text on any failure or guard hit. */
  async function rephraseProbe(input: { answer: string; missing: readonly StarPart[]; probe: string }): Promise<{ probe: string; source: 'rules' | 'model'; fallbackReason?: string }> {
    try {
      const content = await complete(
        [
          { role: 'system', content: probeSystemPrompt },
          { role: 'user', content: JSON.stringify({ task: 'rephrase_probe', answer: input.answer.slice(0, 2000), missing: input.missing, probe: input.probe }) },
        ],
        { timeoutMs: Math.min(options.timeoutMs, probeTimeoutMs), retry: false },
      );
      let answer: unknown;
      try {
        answer = JSON.parse(stripFence(content));
      } catch {
        throw new ModelCallError('invalid_json', 'the model did not answer JSON');
      }
      const parsed = probeAnswer.safeParse(answer);
      if (!parsed.success) throw new ModelCallError('invalid_answer', 'the model’s JSON is not {"probe": "…?"}');
      if (forbiddenInferences(parsed.data.probe).length > 0) throw new ModelCallError('forbidden_inference', 'the reworded probe infers emotion, personality, accent, appearance or culture fit');
      return { probe: parsed.data.probe, source: 'model' };
    } catch (error) {
      const reason = error instanceof ModelCallError ? error.reason : 'error';
      options.log?.warn({ drafter: 'model', model: options.model, fallbackReason: reason, detail: (error as Error).message }, 'copilot probe wording failed; the rule text is shown');
      return { probe: input.probe, source: 'rules', fallbackReason: reason };
    }
  }

  return {
    name: 'model',
    async draft(input) {
      return (await draftWithReport(input)).suggestions;
    },
    draftWithReport,
    rephrase: rephraseProbe,
  };
}

/** A typed prompt waits at most this long for the reworded probe (the configured timeout when shorter). */
const probeTimeoutMs = 1500;
const probeAnswer = z.object({ probe: z.string().trim().min(2).max(120).regex(/[?？]$/) }).strict();
const probeSystemPrompt = [
  '你是面试追问助手。An interviewer needs one follow-up question for the candidate’s current answer.',
  'Input: JSON with "answer", "missing" (the STAR parts the rules found missing) and "probe" (the rule’s question).',
  'Reword the probe so it refers to what the candidate just said, asking for the same missing part only. One short question in Chinese, ending with ？.',
  'Never mention emotion, personality, nervousness, accent, appearance or culture fit.',
  'Answer with one JSON object only: {"probe": "…？"}.',
].join('\n');

/** Retry-After in seconds or as an HTTP date; absent means a short pause. */
export function retryDelayMs(header: string | null, now = Date.now()): number {
  if (header === null || header.trim() === '') return 500;
  if (/^\d+$/.test(header.trim())) return Number(header.trim()) * 1000;
  const at = Date.parse(header);
  return Number.isNaN(at) ? 500 : Math.max(0, at - now);
}

/** Some models wrap JSON in a Markdown fence even when asked not to. */
function stripFence(content: string): string {
  const match = /^\s*```(?:json)?\s*\n([\s\S]*?)\n?```\s*$/.exec(content);
  return match ? match[1]! : content;
}

/** The drafter for HB_COPILOT_MODEL_* (config.copilotModel); says at start-up which model drafts (never the key). */
export function scorecardDrafterOf(
  config: { readonly baseUrl: string; readonly model: string; readonly apiKey: string | undefined; readonly timeoutMs: number },
  log: DrafterLog,
): ScorecardDrafter & ProbePhraser {
  log.info({ model: config.model, endpoint: new URL(config.baseUrl).origin, timeoutMs: config.timeoutMs, withKey: Boolean(config.apiKey) }, 'copilot scorecard drafts by the company model (rules as fallback)');
  return openAiCompatibleDrafter({ baseUrl: config.baseUrl, model: config.model, apiKey: config.apiKey, timeoutMs: config.timeoutMs, log });
}
