/**
 * Voice-activity detection over 16 kHz mono audio: where speech starts and ends, so a recording is cut into
 * utterances and each one is sent to speech recognition on its own (silence is never sent to a vendor).
 * Sample positions count from the first sample the detector was given.
 */
export type VoiceActivityEvent =
  /** Speech is going on; `startSample` is the detector's estimate of where it began (it notices with a delay). */
  | { readonly type: 'speech_started'; readonly startSample: number }
  /** The utterance ended after enough silence; [startSample, endSample) is the speech. */
  | { readonly type: 'speech_ended'; readonly startSample: number; readonly endSample: number };

export interface VoiceActivityDetector {
  readonly sampleRateHz: number;
  /** Samples in [-1, 1]. Returns what became known with these samples, in order. */
  accept(samples: Float32Array): VoiceActivityEvent[];
  /** End of audio: closes an utterance still open. */
  flush(): VoiceActivityEvent[];
  /** Frees native resources. */
  close(): void;
}

export interface VoiceActivityDetectorFactory {
  create(): VoiceActivityDetector;
}
