import {
  type SpeechErrorCode,
  type SpeechEvent,
  type SpeechStream,
  type SpeechToText,
  SpeechToTextError,
  speechSampleRateHz,
} from '../../ports/speech-to-text';
import type { VoiceActivityDetector, VoiceActivityDetectorFactory, VoiceActivityEvent } from '../../ports/voice-activity';

/**
 * Live notes' speech pipeline, vendor-neutral: numbered PCM frames from the interviewer's phone → in order (duplicates
 * dropped, gaps waited for, resends after a network drop slotted back in) → voice-activity detection cuts the recording
 * into utterances → each utterance is one SpeechToText stream (silence is never sent) → partial and final text with
 * times from the start of the recording. Stores nothing: the caller persists finals and relays partials.
 */
export interface PhoneAudioFrame {
  /** 0, 1, 2, … per recording; a resend after a drop repeats the number. */
  readonly seq: number;
  /** 16 kHz mono PCM16 little-endian, as RecorderManager's onFrameRecorded gives it. */
  readonly pcm: Uint8Array;
}

export type FrameResult =
  | { readonly status: 'accepted' | 'duplicate' | 'buffered' }
  | { readonly status: 'rejected'; readonly code: 'FRAME_INVALID' | 'TRANSCRIBER_FINISHED'; readonly message: string };

export type TranscriptEvent =
  | {
      readonly type: 'partial' | 'final';
      /** `<utterance>.<sentence>`: a final replaces the partials with the same id. */
      readonly segmentId: string;
      readonly text: string;
      /** Milliseconds from the start of the recording. */
      readonly startMs: number;
      readonly endMs: number;
    }
  /** Frames `fromSeq`..`toSeq` are missing: `waiting` for a resend, or given up and `filled_with_silence`. */
  | { readonly type: 'gap'; readonly fromSeq: number; readonly toSeq: number; readonly action: 'waiting' | 'filled_with_silence' }
  | { readonly type: 'error'; readonly code: SpeechErrorCode; readonly message: string; readonly retryable: boolean; readonly segmentId: string };

export interface TranscriberOptions {
  readonly interviewId: string;
  readonly speech: SpeechToText;
  readonly voiceActivity: VoiceActivityDetectorFactory;
  readonly onEvent?: (event: TranscriptEvent) => void;
  /** Audio sent before the detected start: the detector notices speech a few hundred ms late. */
  readonly preRollMs?: number;
  /** Frames held while waiting for a missing one; beyond this the gap is filled with silence. */
  readonly maxReorderFrames?: number;
  /** The largest frame accepted (RecorderManager frames are a few KB). */
  readonly maxFrameBytes?: number;
  readonly firstSeq?: number;
}

export interface TranscriberStats {
  framesAccepted: number;
  framesDuplicate: number;
  framesRejected: number;
  gapsFilled: number;
  samplesProcessed: number;
  utterances: number;
  /** Time spent in voice-activity detection, to report its real-time factor. */
  vadMs: number;
}

interface Utterance {
  readonly id: number;
  readonly startSample: number;
  stream: SpeechStream | undefined;
  readonly pending: Uint8Array[];
  failed: boolean;
  ended: boolean;
}

const samplesPerMs = speechSampleRateHz / 1000;

export class LiveTranscriber {
  readonly stats: TranscriberStats = { framesAccepted: 0, framesDuplicate: 0, framesRejected: 0, gapsFilled: 0, samplesProcessed: 0, utterances: 0, vadMs: 0 };
  private readonly detector: VoiceActivityDetector;
  private readonly preRollSamples: number;
  private readonly maxReorderFrames: number;
  private readonly maxFrameBytes: number;
  private nextSeq: number;
  private readonly outOfOrder = new Map<number, Uint8Array>();
  private announcedGapUpTo = -1;
  /** Recent audio kept for the pre-roll: PCM bytes and the sample where they start. */
  private recent: Buffer = Buffer.alloc(0);
  private recentStartSample = 0;
  private current: Utterance | undefined;
  private readonly inFlight = new Set<Promise<void>>();
  private nextUtteranceId = 0;
  private averageFrameBytes = 0;
  private finished = false;
  private readonly queue: TranscriptEvent[] = [];
  private readonly waiters: ((result: IteratorResult<TranscriptEvent>) => void)[] = [];
  private ended = false;

  constructor(private readonly options: TranscriberOptions) {
    this.detector = options.voiceActivity.create();
    this.preRollSamples = Math.round((options.preRollMs ?? 300) * samplesPerMs);
    this.maxReorderFrames = options.maxReorderFrames ?? 50;
    this.maxFrameBytes = options.maxFrameBytes ?? 64_000;
    this.nextSeq = options.firstSeq ?? 0;
  }

  /** The next sequence number needed in order: a phone reconnecting after a drop resends from here. */
  get expectedSeq(): number {
    return this.nextSeq;
  }

  acceptFrame(frame: PhoneAudioFrame): FrameResult {
    if (this.finished) {
      this.stats.framesRejected += 1;
      return { status: 'rejected', code: 'TRANSCRIBER_FINISHED', message: '录音已结束。The recording has ended.' };
    }
    if (!Number.isSafeInteger(frame.seq) || frame.seq < 0 || frame.pcm.length % 2 !== 0 || frame.pcm.length > this.maxFrameBytes) {
      this.stats.framesRejected += 1;
      return { status: 'rejected', code: 'FRAME_INVALID', message: '音频帧格式不正确。The audio frame is malformed (seq or PCM16 length).' };
    }
    if (frame.seq < this.nextSeq || this.outOfOrder.has(frame.seq)) {
      this.stats.framesDuplicate += 1;
      return { status: 'duplicate' };
    }
    this.stats.framesAccepted += 1;
    if (frame.seq > this.nextSeq) {
      const before = frame.seq - 1;
      if (!this.outOfOrder.has(before) && before > this.announcedGapUpTo) {
        // A new hole just before this frame: announce the missing run once.
        let from = before;
        while (from - 1 >= this.nextSeq && from - 1 > this.announcedGapUpTo && !this.outOfOrder.has(from - 1)) from -= 1;
        this.emit({ type: 'gap', fromSeq: from, toSeq: before, action: 'waiting' });
        this.announcedGapUpTo = before;
      }
      this.outOfOrder.set(frame.seq, frame.pcm);
      if (this.outOfOrder.size > this.maxReorderFrames) this.fillGap();
      return { status: 'buffered' };
    }
    this.process(frame.pcm);
    this.nextSeq += 1;
    this.drainInOrder();
    return { status: 'accepted' };
  }

  /** End of the recording: processes what is buffered, ends the last utterance and waits for every final. */
  async finish(): Promise<void> {
    if (!this.finished) {
      this.finished = true;
      while (this.outOfOrder.size > 0) this.fillGap();
      const started = performance.now();
      const events = this.detector.flush();
      this.stats.vadMs += performance.now() - started;
      this.onVoiceActivity(events);
      if (this.current) this.endUtterance(this.current);
      this.detector.close();
    }
    while (this.inFlight.size > 0) await Promise.all([...this.inFlight]);
    this.ended = true;
    for (const waiter of this.waiters.splice(0)) waiter({ value: undefined, done: true });
  }

  /** The same events as `onEvent`, as an async iterator that ends after finish(). */
  events(): AsyncIterableIterator<TranscriptEvent> {
    const next = (): Promise<IteratorResult<TranscriptEvent>> => {
      const value = this.queue.shift();
      if (value) return Promise.resolve({ value, done: false });
      if (this.ended) return Promise.resolve({ value: undefined, done: true });
      return new Promise((resolve) => this.waiters.push(resolve));
    };
    const iterator: AsyncIterableIterator<TranscriptEvent> = { next, [Symbol.asyncIterator]: () => iterator };
    return iterator;
  }

  private emit(event: TranscriptEvent): void {
    this.options.onEvent?.(event);
    const waiter = this.waiters.shift();
    if (waiter) waiter({ value: event, done: false });
    else this.queue.push(event);
  }

  private drainInOrder(): void {
    for (let pcm = this.outOfOrder.get(this.nextSeq); pcm; pcm = this.outOfOrder.get(this.nextSeq)) {
      this.outOfOrder.delete(this.nextSeq);
      this.process(pcm);
      this.nextSeq += 1;
    }
  }

  /** Gives up on the frames before the earliest buffered one: silence of the usual frame length keeps times right. */
  private fillGap(): void {
    const earliest = Math.min(...this.outOfOrder.keys());
    if (earliest > this.nextSeq) {
      this.emit({ type: 'gap', fromSeq: this.nextSeq, toSeq: earliest - 1, action: 'filled_with_silence' });
      const frameBytes = Math.max(2, Math.round(this.averageFrameBytes / 2) * 2);
      for (let seq = this.nextSeq; seq < earliest; seq += 1) {
        this.process(new Uint8Array(frameBytes), false);
        this.stats.gapsFilled += 1;
      }
      this.nextSeq = earliest;
    }
    this.drainInOrder();
  }

  private process(pcm: Uint8Array, real = true): void {
    if (real) {
      const count = this.stats.framesAccepted;
      this.averageFrameBytes += (pcm.length - this.averageFrameBytes) / Math.max(1, count);
    }
    const bytes = Buffer.from(pcm.buffer, pcm.byteOffset, pcm.length);
    const firstSample = this.stats.samplesProcessed;
    this.stats.samplesProcessed += bytes.length / 2;
    this.remember(bytes, firstSample);
    if (this.current && !this.current.ended) this.send(this.current, bytes);
    const samples = new Float32Array(bytes.length / 2);
    for (let i = 0; i < samples.length; i += 1) samples[i] = bytes.readInt16LE(i * 2) / 32_768;
    const started = performance.now();
    const events = this.detector.accept(samples);
    this.stats.vadMs += performance.now() - started;
    this.onVoiceActivity(events);
  }

  private remember(bytes: Buffer, firstSample: number): void {
    const keepSamples = this.preRollSamples + 2 * speechSampleRateHz;
    this.recent = this.recent.length === 0 ? Buffer.from(bytes) : Buffer.concat([this.recent, bytes]);
    if (this.recent.length === bytes.length) this.recentStartSample = firstSample;
    const excess = this.recent.length / 2 - keepSamples;
    if (excess > 0) {
      this.recent = this.recent.subarray(excess * 2);
      this.recentStartSample += excess;
    }
  }

  private onVoiceActivity(events: readonly VoiceActivityEvent[]): void {
    for (const event of events) {
      if (event.type === 'speech_started' && !this.current) this.startUtterance(event.startSample);
      if (event.type === 'speech_ended' && this.current) this.endUtterance(this.current);
    }
  }

  private startUtterance(speechStartSample: number): void {
    const startSample = Math.max(this.recentStartSample, speechStartSample - this.preRollSamples);
    const id = this.nextUtteranceId++;
    this.stats.utterances += 1;
    const offsetMs = Math.round(startSample / samplesPerMs);
    const segmentId = (sentence: number) => `${id}.${sentence}`;
    const onSpeech = (event: SpeechEvent) => {
      if (event.type === 'partial' || event.type === 'final') {
        this.emit({ type: event.type, segmentId: segmentId(event.sentenceIndex), text: event.text, startMs: offsetMs + event.startMs, endMs: offsetMs + event.endMs });
      } else if (event.type === 'error') {
        utterance.failed = true;
        this.emit({ type: 'error', code: event.code, message: event.message, retryable: event.retryable, segmentId: segmentId(0) });
      }
    };
    const utterance: Utterance = { id, startSample, stream: undefined, pending: [], failed: false, ended: false };
    this.current = utterance;
    const preRoll = this.recent.subarray((startSample - this.recentStartSample) * 2);
    if (preRoll.length > 0) utterance.pending.push(Buffer.from(preRoll));
    const done = this.options.speech
      .open({ interviewId: this.options.interviewId, sampleRateHz: speechSampleRateHz }, onSpeech)
      .then(
        async (stream) => {
          utterance.stream = stream;
          for (const chunk of utterance.pending.splice(0)) stream.push(chunk);
          if (utterance.ended) await stream.finish();
        },
        (error: unknown) => {
          utterance.failed = true;
          const known = error instanceof SpeechToTextError;
          this.emit({
            type: 'error',
            code: known ? error.code : 'ASR_UNAVAILABLE',
            message: known ? error.message : `语音识别不可用。Speech recognition failed: ${String(error)}`,
            retryable: known ? error.retryable : true,
            segmentId: segmentId(0),
          });
        },
      );
    this.track(done);
  }

  private send(utterance: Utterance, bytes: Buffer): void {
    if (utterance.failed) return;
    if (utterance.stream) utterance.stream.push(bytes);
    else utterance.pending.push(Buffer.from(bytes));
  }

  private endUtterance(utterance: Utterance): void {
    utterance.ended = true;
    if (this.current === utterance) this.current = undefined;
    // finish() waits for the final text; an utterance whose stream is not open yet finishes once it opens.
    if (utterance.stream) this.track(utterance.stream.finish());
  }

  private track(promise: Promise<void>): void {
    const tracked = promise.finally(() => this.inFlight.delete(tracked));
    this.inFlight.add(tracked);
  }
}
