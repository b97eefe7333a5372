/**
 * Streaming speech recognition, whatever the engine (Tencent Cloud, Alibaba NLS, an on-premises model). One stream
 * is one stretch of audio: 16 kHz, mono, 16-bit little-endian PCM pushed in chunks as it is recorded. Times in events
 * are milliseconds from the first sample pushed into that stream.
 */
export const speechSampleRateHz = 16_000;

export interface SpeechStreamOptions {
  /** Used as the vendor's stream/task id prefix and in logs; never sent as personal data. */
  readonly interviewId: string;
  readonly sampleRateHz: typeof speechSampleRateHz;
}

/**
 * Stable codes for what went wrong, whatever the vendor said (its own code travels in `vendorCode`):
 * - `ASR_AUTH_FAILED` credentials, signature or token refused;
 * - `ASR_QUOTA_EXCEEDED` no free quota, arrears, or too many concurrent streams;
 * - `ASR_BAD_REQUEST` a parameter or message the engine refused (our bug, not retryable);
 * - `ASR_BAD_AUDIO` audio the engine could not decode;
 * - `ASR_IDLE_TIMEOUT` the engine closed the stream because no audio arrived for too long;
 * - `ASR_DISCONNECTED` the connection dropped without a final answer;
 * - `ASR_UNAVAILABLE` the engine failed on its side or could not be reached.
 */
export type SpeechErrorCode =
  | 'ASR_AUTH_FAILED'
  | 'ASR_QUOTA_EXCEEDED'
  | 'ASR_BAD_REQUEST'
  | 'ASR_BAD_AUDIO'
  | 'ASR_IDLE_TIMEOUT'
  | 'ASR_DISCONNECTED'
  | 'ASR_UNAVAILABLE';

export type SpeechEvent =
  /** Text of the sentence so far; may still change. Replaces the previous partial of the same `sentenceIndex`. */
  | { readonly type: 'partial'; readonly sentenceIndex: number; readonly text: string; readonly startMs: number; readonly endMs: number }
  /** The sentence is settled. */
  | { readonly type: 'final'; readonly sentenceIndex: number; readonly text: string; readonly startMs: number; readonly endMs: number }
  | {
      readonly type: 'error';
      readonly code: SpeechErrorCode;
      readonly vendorCode: string;
      readonly message: string;
      /** True when opening a new stream may succeed (network, idle timeout, vendor overload). */
      readonly retryable: boolean;
    }
  /** Always the last event of a stream, after a clean finish or an error. */
  | { readonly type: 'closed' };

export type SpeechEventListener = (event: SpeechEvent) => void;

export interface SpeechStream {
  /** PCM16 LE mono at the stream's sample rate. Ignored after finish() or an error. */
  push(pcm: Uint8Array): void;
  /** Tells the engine the audio ended; resolves after the last final and `closed` were delivered. */
  finish(): Promise<void>;
  /** Drops the stream without waiting for results; `closed` still follows. */
  abort(): void;
}

export interface SpeechToText {
  /** For logs and metrics: 'tencent', 'alibaba', 'local'. */
  readonly engine: string;
  /** Resolves when the engine accepted the stream; rejects with a SpeechToTextError when it refused it. */
  open(options: SpeechStreamOptions, listener: SpeechEventListener): Promise<SpeechStream>;
}

export class SpeechToTextError extends Error {
  constructor(
    readonly code: SpeechErrorCode,
    readonly vendorCode: string,
    message: string,
    readonly retryable: boolean,
  ) {
    super(message);
    this.name = 'SpeechToTextError';
  }
}
