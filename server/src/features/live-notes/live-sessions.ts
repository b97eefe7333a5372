import { AppError } from '../../domain/errors';
import type { Principal } from '../../domain/principal';
import type { SpeechToText } from '../../ports/speech-to-text';
import type { VoiceActivityDetectorFactory } from '../../ports/voice-activity';
import type { FeatureContext } from '../context';
import * as copilot from '../copilot';
import { authenticate } from '../sessions';
import { LiveTranscriber, type TranscriptEvent } from './transcriber';

/**
 * Live notes from the interviewer's phone, transport-neutral: who may stream (a panelist, from 15 minutes before the
 * start, with the candidate's recording and transcription consent), one recording per interview and interviewer that
 * outlives a dropped connection for a while, finals stored as transcript segments (source asr) in arrival order, and
 * the rule-based prompts for the latest answer after each final. The socket adapter (http/live-notes-socket.ts) only
 * moves bytes and messages.
 */
export const liveNotesEarlyStartMs = 15 * 60_000;
const liveStatuses = new Set(['scheduled', 'confirmed', 'checked_in', 'in_progress', 'completed']);

/** What the server sends the phone (besides `ready`, `ack` and `closed`, which the transport owns). */
export type LiveNotesMessage =
  | { readonly type: 'partial'; readonly text: string; readonly startMs: number }
  | { readonly type: 'final'; readonly segmentId: string; readonly text: string; readonly startMs: number; readonly endMs: number }
  | ({ readonly type: 'prompt'; readonly segmentId: string; readonly questionId: string | null } & Awaited<ReturnType<typeof copilot.prompts>>)
  | { readonly type: 'gap'; readonly fromSeq: number; readonly toSeq: number }
  | { readonly type: 'error'; readonly code: string; readonly message: string };

export interface LiveNotesSink {
  send(message: LiveNotesMessage): void;
  /** A newer connection of the same interviewer took the recording over: this one should close. */
  replaced(): void;
}

/**
 * The session behind a token may stream notes of this interview: the token is checked like a Bearer token on the
 * HTTP API. Throws AppError UNAUTHENTICATED, FORBIDDEN (not a panelist, or not an employee), INVALID_TRANSITION (not
 * started and not starting within 15 minutes, or cancelled) or CONSENT_REQUIRED — before anything is written.
 */
export async function authorizeLiveNotes(ctx: FeatureContext, token: string, interviewId: string): Promise<Principal> {
  const principal = await authenticate(ctx, token);
  if (principal.kind !== 'employee') throw new AppError('FORBIDDEN', '此功能仅限员工使用。This is for employees only.');
  const forbidden = () => new AppError('FORBIDDEN', '您不是这场面试的面试官。You are not on this interview’s panel.');
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(interviewId)) throw forbidden();
  const interview = await ctx.stores.copilot.interview(principal.tenantId, interviewId, { lock: false });
  if (!interview?.panel.some((p) => p.employeeId === principal.employeeId)) throw forbidden();
  const now = ctx.clock.now().getTime();
  if (!liveStatuses.has(interview.status) || !interview.startsAt || interview.startsAt.getTime() - liveNotesEarlyStartMs > now) {
    throw new AppError('INVALID_TRANSITION', '面试尚未开始（开始前 15 分钟内可录音）或已取消。Live notes open 15 minutes before the start of a scheduled interview.');
  }
  if (!interview.consents.recording || !interview.consents.transcription) {
    throw new AppError('CONSENT_REQUIRED', '候选人尚未同意录音和转写，只能手写笔记。The candidate has not consented to recording and transcription; typed notes only.');
  }
  return principal;
}

export interface LiveRecording {
  readonly key: string;
  readonly principal: Principal;
  readonly interviewId: string;
  readonly transcriber: LiveTranscriber;
}

interface RecordingState extends LiveRecording {
  sink: LiveNotesSink | undefined;
  /** Finals are stored one after another, in the order they were recognised. */
  chain: Promise<void>;
  dropTimer: NodeJS.Timeout | undefined;
}

export interface LiveNotesSessionsOptions {
  readonly ctx: FeatureContext;
  /** Undefined when no engine is configured: streaming is then refused with ASR_NOT_CONFIGURED. */
  readonly speech: () => SpeechToText | undefined;
  readonly voiceActivity: VoiceActivityDetectorFactory;
  /** How long a recording waits for the phone to come back after a drop (default 2 minutes). */
  readonly keepAfterDropMs?: number;
  readonly maxFrameBytes?: number;
  /** Failures nobody is connected to hear about (storing a final after the phone left). */
  readonly onBackgroundError?: (error: unknown, recording: LiveRecording) => void;
}

export class LiveNotesSessions {
  private readonly recordings = new Map<string, RecordingState>();
  private readonly keepAfterDropMs: number;

  constructor(private readonly options: LiveNotesSessionsOptions) {
    this.keepAfterDropMs = options.keepAfterDropMs ?? 120_000;
  }

  get size(): number {
    return this.recordings.size;
  }

  /**
   * Connects a phone to its recording: the one kept since a drop, or a new one starting at `resumeFromSeq`
   * (default 0). A second connection of the same interviewer takes over the first (whose sink is told `replaced`).
   */
  attach(principal: Principal, interviewId: string, sink: LiveNotesSink, resumeFromSeq?: number): { recording: LiveRecording; nextSeq: number } {
    const speech = this.options.speech();
    if (!speech) throw new AppError('INVALID_TRANSITION', '未配置语音识别，只能手写笔记。No speech engine is configured (HB_ASR_ENGINE); typed notes only.');
    const key = `${principal.tenantId}:${interviewId}:${principal.employeeId}`;
    let state = this.recordings.get(key);
    const replaced = state?.sink;
    if (!state) {
      const created: RecordingState = {
        key, principal, interviewId, sink, chain: Promise.resolve(), dropTimer: undefined,
        transcriber: new LiveTranscriber({
          interviewId, speech, voiceActivity: this.options.voiceActivity,
          firstSeq: resumeFromSeq ?? 0,
          maxFrameBytes: this.options.maxFrameBytes ?? 32_000,
          onEvent: (event) => this.onTranscript(created, event),
        }),
      };
      state = created;
      this.recordings.set(key, state);
    }
    clearTimeout(state.dropTimer);
    state.dropTimer = undefined;
    state.sink = sink;
    if (replaced && replaced !== sink) replaced.replaced();
    return { recording: state, nextSeq: state.transcriber.expectedSeq };
  }

  /** The phone went away without `end`: keep the recording for a reconnect, then finish it (finals still stored). */
  detach(recording: LiveRecording, sink: LiveNotesSink): void {
    const state = this.recordings.get(recording.key);
    if (!state || state.sink !== sink) return;
    state.sink = undefined;
    clearTimeout(state.dropTimer);
    state.dropTimer = setTimeout(() => void this.finish(state).catch((error: unknown) => this.options.onBackgroundError?.(error, state)), this.keepAfterDropMs);
    state.dropTimer.unref();
  }

  /** `end` from the phone: every final stored and its prompts sent before this resolves. */
  async end(recording: LiveRecording): Promise<void> {
    const state = this.recordings.get(recording.key);
    if (state) await this.finish(state);
  }

  /** Shutdown: finishes every recording (stores what was recognised). */
  async closeAll(): Promise<void> {
    await Promise.all([...this.recordings.values()].map((state) => this.finish(state)));
  }

  private async finish(state: RecordingState): Promise<void> {
    clearTimeout(state.dropTimer);
    await state.transcriber.finish();
    await state.chain;
    if (this.recordings.get(state.key) === state) this.recordings.delete(state.key);
  }

  private onTranscript(state: RecordingState, event: TranscriptEvent): void {
    switch (event.type) {
      case 'partial':
        state.sink?.send({ type: 'partial', text: event.text, startMs: event.startMs });
        return;
      case 'gap':
        state.sink?.send({ type: 'gap', fromSeq: event.fromSeq, toSeq: event.toSeq });
        return;
      case 'error':
        state.sink?.send({ type: 'error', code: event.code, message: event.message });
        return;
      case 'final':
        if (event.text.trim() === '') return;
        state.chain = state.chain.then(() => this.storeFinal(state, event)).catch((error: unknown) => {
          const known = error instanceof AppError;
          if (state.sink) state.sink.send({ type: 'error', code: known ? error.code : 'INTERNAL', message: known ? error.message : '转写保存失败。The transcript segment could not be stored.' });
          if (!known || !state.sink) this.options.onBackgroundError?.(error, state);
        });
    }
  }

  private async storeFinal(state: RecordingState, event: Extract<TranscriptEvent, { segmentId: string; text: string }>): Promise<void> {
    const { ctx } = this.options;
    const segment = await copilot.appendSegment(ctx, state.principal, state.interviewId, {
      startedMs: event.startMs, endedMs: Math.max(event.startMs, event.endMs), text: event.text, source: 'asr',
    });
    state.sink?.send({ type: 'final', segmentId: segment.id, text: segment.text, startMs: segment.startedMs, endMs: segment.endedMs });
    if (!state.sink) return;
    const answer = await latestAnswer(ctx, state.principal, state.interviewId, segment.id);
    const prompts = await copilot.prompts(ctx, state.principal, state.interviewId, { answer: answer.text, ...(answer.questionId && { questionId: answer.questionId }) });
    state.sink?.send({ type: 'prompt', segmentId: segment.id, questionId: answer.questionId, ...prompts });
  }
}

/**
 * The answer the newest segment belongs to: the segments since the latest question mark (the interviewer marks each
 * question as it is asked), or the newest segment alone when no question was marked.
 */
async function latestAnswer(ctx: FeatureContext, principal: Principal, interviewId: string, segmentId: string): Promise<{ text: string; questionId: string | null }> {
  const segments = await ctx.stores.copilot.segments(principal.tenantId, interviewId);
  const newest = segments.find((s) => s.id === segmentId);
  if (!newest) return { text: '', questionId: null };
  const marks = await ctx.stores.copilot.questionMarks(principal.tenantId, interviewId);
  const mark = [...marks].reverse().find((m) => m.atMs <= newest.startedMs);
  if (!mark) return { text: newest.text, questionId: null };
  const text = segments.filter((s) => s.startedMs >= mark.atMs && s.startedMs <= newest.startedMs).map((s) => s.text).join('');
  return { text, questionId: mark.questionId };
}
