import { randomUUID } from 'node:crypto';
import type { Context } from 'koa';
import { Router } from '@koa/router';
import type { Clock } from '../clock';
import { readBody } from '../http/read-body';

/**
 * An OpenAI-compatible Chat Completions endpoint (what vLLM, Ollama, Xinference or DeepSeek's API serve) at
 * POST /v1/chat/completions: the real response shape, 401 for a wrong key, 404 for an unknown model, 400 for a bad
 * request, 429 with Retry-After under a rate limit. Its "model" understands no Chinese: like the ASR simulator
 * answering with known transcripts, it answers deterministically from the request — for a scorecard draft it cites,
 * per competency, the segments whose text contains the competency's name or a keyword of its description or rubric,
 * and picks a level from the figures in them. Test hooks make it misbehave: invalid JSON, an invented citation, a
 * forbidden inference, slowness, a server error.
 */
export interface LlmSimulatorOptions {
  /** Accepted API keys; empty accepts requests without a key (a local server started without --api-key). */
  readonly apiKeys?: readonly string[];
  readonly models?: readonly string[];
  /** Whether response_format {type:"json_object"} is accepted (older servers answer 400). Default true. */
  readonly supportsJsonMode?: boolean;
}

/** One misbehaviour for the next request(s). */
export type LlmFault =
  | { readonly kind: 'invalid_json' }
  | { readonly kind: 'invented_citation' }
  | { readonly kind: 'forbidden_inference' }
  | { readonly kind: 'no_citation' }
  | { readonly kind: 'slow'; readonly delayMs: number }
  | { readonly kind: 'server_error'; readonly status?: number };

export interface LlmRequestRecord {
  readonly at: Date;
  /** 0 while a slow answer is pending, and for good when the client gave up before it. */
  readonly status: number;
  readonly authorization: string | undefined;
  readonly body: unknown;
}

interface DraftPayload {
  competencies: { id: string; name: string; description?: string; rubric?: { level: number; label?: string; description?: string }[] }[];
  segments: { id: string; text: string }[];
}

export class LlmSimulator {
  readonly router = new Router();
  /** Every request received, in order, with the status answered (for wire assertions). */
  readonly requests: LlmRequestRecord[] = [];
  apiKeys: string[];
  models: string[];
  supportsJsonMode: boolean;
  private faults: LlmFault[] = [];
  private rateLimit: { remaining: number; retryAfterSeconds: number } | undefined;

  constructor(private readonly clock: Clock, options: LlmSimulatorOptions = {}) {
    this.apiKeys = [...(options.apiKeys ?? ['sk-sim-hirebridge'])];
    this.models = [...(options.models ?? ['qwen2.5-7b-instruct', 'deepseek-chat'])];
    this.supportsJsonMode = options.supportsJsonMode ?? true;
    this.router.post('/v1/chat/completions', (ctx) => this.complete(ctx));
    this.router.get('/v1/models', (ctx) => this.listModels(ctx));
  }

  /** The next requests misbehave in this order, one fault per request. */
  fail(...faults: LlmFault[]): void {
    this.faults.push(...faults);
  }

  /** The next `count` requests get 429 with this Retry-After (seconds). */
  limitRate(count: number, retryAfterSeconds = 1): void {
    this.rateLimit = { remaining: count, retryAfterSeconds };
  }

  reset(): void {
    this.faults = [];
    this.rateLimit = undefined;
    this.requests.length = 0;
  }

  private refuse(ctx: Context, status: number, error: { message: string; type: string; code: string | null; param?: string | null }, record: Omit<LlmRequestRecord, 'status'>) {
    ctx.status = status;
    ctx.body = { error: { param: null, ...error } };
    this.requests.push({ ...record, status });
  }

  private authorised(ctx: Context): boolean {
    if (this.apiKeys.length === 0) return true;
    const match = /^Bearer (.+)$/.exec(ctx.get('authorization'));
    return Boolean(match && this.apiKeys.includes(match[1]!));
  }

  private listModels(ctx: Context) {
    if (!this.authorised(ctx)) {
      ctx.status = 401;
      ctx.body = { error: { message: 'Incorrect API key provided.', type: 'invalid_request_error', param: null, code: 'invalid_api_key' } };
      return;
    }
    ctx.body = { object: 'list', data: this.models.map((id) => ({ id, object: 'model', created: 1_700_000_000, owned_by: 'hirebridge-simulator' })) };
  }

  private async complete(ctx: Context) {
    const authorization = ctx.get('authorization') || undefined;
    const raw = await readBody(ctx.req);
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(raw) as Record<string, unknown>;
    } catch {
      return this.refuse(ctx, 400, { message: 'We could not parse the JSON body of your request.', type: 'invalid_request_error', code: null }, { at: this.clock.now(), authorization, body: raw });
    }
    const record = { at: this.clock.now(), authorization, body };
    if (!this.authorised(ctx)) {
      return this.refuse(ctx, 401, { message: 'Incorrect API key provided. You can find your API key in your model server settings.', type: 'invalid_request_error', code: 'invalid_api_key' }, record);
    }
    if (this.rateLimit && this.rateLimit.remaining > 0) {
      this.rateLimit.remaining -= 1;
      ctx.set('retry-after', String(this.rateLimit.retryAfterSeconds));
      return this.refuse(ctx, 429, { message: 'Rate limit reached for requests. Please try again later.', type: 'requests', code: 'rate_limit_exceeded' }, record);
    }
    const model = body.model;
    if (typeof model !== 'string' || !this.models.includes(model)) {
      return this.refuse(ctx, 404, { message: `The model \`${String(model)}\` does not exist or you do not have access to it.`, type: 'invalid_request_error', code: 'model_not_found', param: 'model' }, record);
    }
    const messages = body.messages;
    if (!Array.isArray(messages) || messages.length === 0 || !messages.every((m) => m && typeof m === 'object' && typeof (m as { role?: unknown }).role === 'string' && typeof (m as { content?: unknown }).content === 'string')) {
      return this.refuse(ctx, 400, { message: "'messages' must be a non-empty array of {role, content}.", type: 'invalid_request_error', code: null, param: 'messages' }, record);
    }
    const format = body.response_format as { type?: unknown } | undefined;
    if (format !== undefined) {
      if (!this.supportsJsonMode) return this.refuse(ctx, 400, { message: 'response_format is not supported by this server.', type: 'invalid_request_error', code: null, param: 'response_format' }, record);
      if (format.type !== 'json_object' && format.type !== 'text') return this.refuse(ctx, 400, { message: `Invalid value for 'response_format.type': ${String(format.type)}`, type: 'invalid_request_error', code: null, param: 'response_format' }, record);
    }

    const fault = this.faults.shift();
    if (fault?.kind === 'server_error') {
      return this.refuse(ctx, fault.status ?? 500, { message: 'The server had an error while processing your request.', type: 'server_error', code: null }, record);
    }
    // A slow answer is recorded on arrival (so a late one never lands in a later test's list) and completed if awaited.
    let pending: { -readonly [K in keyof LlmRequestRecord]: LlmRequestRecord[K] } | undefined;
    if (fault?.kind === 'slow') {
      pending = { ...record, status: 0 };
      this.requests.push(pending);
      await new Promise((resolve) => setTimeout(resolve, fault.delayMs));
      if (ctx.req.socket.destroyed) return;
    }

    const last = (messages as { role: string; content: string }[]).filter((m) => m.role === 'user').at(-1)?.content ?? '';
    let content = this.answer(last, fault);
    if (fault?.kind === 'invalid_json') content = '好的，以下是评分草稿：{"items": [ {"competencyId": "C1", ';
    const promptTokens = Math.ceil(raw.length / 4);
    const completionTokens = Math.ceil(content.length / 4);
    ctx.status = 200;
    ctx.body = {
      id: `chatcmpl-${randomUUID().replace(/-/g, '').slice(0, 24)}`,
      object: 'chat.completion',
      created: Math.floor(this.clock.now().getTime() / 1000),
      model,
      choices: [{ index: 0, message: { role: 'assistant', content }, logprobs: null, finish_reason: 'stop' }],
      usage: { prompt_tokens: promptTokens, completion_tokens: completionTokens, total_tokens: promptTokens + completionTokens },
    };
    if (pending) pending.status = 200;
    else this.requests.push({ ...record, status: 200 });
  }

  /** The deterministic "model": a draft for a draft payload, a reworded probe for a probe request, otherwise no items. */
  private answer(userContent: string, fault: LlmFault | undefined): string {
    let payload: DraftPayload | undefined;
    try {
      const parsed = JSON.parse(userContent) as Partial<DraftPayload> & { task?: unknown; answer?: unknown; probe?: unknown };
      // Rewording a STAR probe: refer to the first clause of the answer, keep the rule's question.
      if (parsed.task === 'rephrase_probe' && typeof parsed.answer === 'string' && typeof parsed.probe === 'string') {
        const clause = parsed.answer.split(/[，。,.;；！!？?\n]/)[0]!.trim().slice(0, 12);
        const probe = fault?.kind === 'forbidden_inference' ? `你刚才看起来有些紧张，${parsed.probe}` : `关于「${clause}」：${parsed.probe}`;
        return JSON.stringify({ probe });
      }
      if (Array.isArray(parsed.competencies) && Array.isArray(parsed.segments)) payload = parsed as DraftPayload;
    } catch {
      payload = undefined;
    }
    if (!payload) return JSON.stringify({ items: [] });
    const items = draftFrom(payload);
    if (items.length > 0 && fault?.kind === 'invented_citation') items[0] = { ...items[0]!, segmentIds: [...items[0]!.segmentIds, `S${payload.segments.length + 41}`] };
    if (items.length > 0 && fault?.kind === 'forbidden_inference') items[0] = { ...items[0]!, rationale: `${items[0]!.rationale} 候选人回答时有些紧张，性格偏内向。The candidate seemed nervous.` };
    if (items.length > 0 && fault?.kind === 'no_citation') items[0] = { ...items[0]!, segmentIds: [] };
    return JSON.stringify({ items });
  }
}

/** Per competency: segments containing its name or a keyword (2+ characters) of its description or rubric; level from figures. */
export function draftFrom(payload: DraftPayload): { competencyId: string; suggestedLevel: number; rationale: string; segmentIds: string[] }[] {
  const out: { competencyId: string; suggestedLevel: number; rationale: string; segmentIds: string[] }[] = [];
  for (const c of payload.competencies) {
    const keywords = [c.name, ...[c.description ?? '', ...(c.rubric ?? []).map((r) => r.description ?? '')].flatMap((text) => text.split(/[\s,，。、；;：:（）()的与和及或]+/))]
      .map((k) => k.trim().toLowerCase())
      .filter((k) => k.length >= 2 && !/^\d+$/.test(k));
    const cited = payload.segments.filter((s) => keywords.some((k) => s.text.toLowerCase().includes(k)));
    if (cited.length === 0) continue;
    const figures = cited.filter((s) => /\d/.test(s.text)).length;
    const level = figures >= 2 ? 4 : figures === 1 ? 3 : cited.length >= 2 ? 2 : 1;
    const matched = [...new Set(keywords.filter((k) => cited.some((s) => s.text.toLowerCase().includes(k))))].slice(0, 3);
    out.push({
      competencyId: c.id,
      suggestedLevel: level,
      rationale: `模型草稿：${cited.length} 段回答谈到「${matched.join('、')}」，含数据 ${figures} 段。Model draft: ${cited.length} segment(s) on this, ${figures} with figures.`,
      segmentIds: cited.map((s) => s.id).slice(0, 10),
    });
  }
  return out;
}
