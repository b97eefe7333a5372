import { createRequire } from 'node:module';
import sherpa, { type Vad } from 'sherpa-onnx-node';
import type { VoiceActivityDetector, VoiceActivityDetectorFactory, VoiceActivityEvent } from '../../ports/voice-activity';

/**
 * Silero VAD (MIT) run by sherpa-onnx-node. The model ships on npm inside @ricky0123/vad-web
 * (`dist/silero_vad_v6.onnx`, byte-identical to snakers4/silero-vad's `silero_vad.onnx`), so a fresh install needs no
 * download.
 */
export function sileroModelPath(): string {
  return createRequire(import.meta.url).resolve('@ricky0123/vad-web/dist/silero_vad_v6.onnx');
}

export interface SileroVadOptions {
  readonly modelPath?: string;
  /** Speech probability above which a window counts as speech. */
  readonly threshold?: number;
  /** Silence that ends an utterance: shorter cuts sentences at commas, longer delays the final text. */
  readonly minSilenceSeconds?: number;
  /** Shorter blips (a cough, a click) are not utterances. */
  readonly minSpeechSeconds?: number;
  /** A monologue is cut here so that final text keeps arriving. */
  readonly maxSpeechSeconds?: number;
}

const sampleRateHz = 16_000;
/** Silero v5/v6 at 16 kHz works on 512-sample windows (32 ms). */
const windowSize = 512;

class SileroVoiceActivityDetector implements VoiceActivityDetector {
  readonly sampleRateHz = sampleRateHz;
  private readonly vad: Vad;
  private readonly minSpeechSamples: number;
  private acceptedSamples = 0;
  private inSpeech = false;
  private closed = false;

  constructor(options: Required<SileroVadOptions>) {
    this.vad = new sherpa.Vad(
      {
        sileroVad: {
          model: options.modelPath,
          threshold: options.threshold,
          minSilenceDuration: options.minSilenceSeconds,
          minSpeechDuration: options.minSpeechSeconds,
          maxSpeechDuration: options.maxSpeechSeconds,
          windowSize,
        },
        sampleRate: sampleRateHz,
        numThreads: 1,
        provider: 'cpu',
        debug: 0,
      },
      // The detector keeps audio of the utterance in progress; a bit more than the longest one.
      options.maxSpeechSeconds + 10,
    );
    this.minSpeechSamples = Math.round(options.minSpeechSeconds * sampleRateHz);
  }

  accept(samples: Float32Array): VoiceActivityEvent[] {
    if (this.closed || samples.length === 0) return [];
    this.vad.acceptWaveform(samples);
    this.acceptedSamples += samples.length;
    return this.drain(false);
  }

  flush(): VoiceActivityEvent[] {
    if (this.closed) return [];
    this.vad.flush();
    return this.drain(true);
  }

  close(): void {
    this.closed = true;
  }

  private drain(flushed: boolean): VoiceActivityEvent[] {
    const events: VoiceActivityEvent[] = [];
    while (!this.vad.isEmpty()) {
      const segment = this.vad.front(false);
      const startSample = segment.start;
      const endSample = segment.start + segment.samples.length;
      this.vad.pop();
      if (!this.inSpeech) events.push({ type: 'speech_started', startSample });
      events.push({ type: 'speech_ended', startSample, endSample });
      this.inSpeech = false;
    }
    if (!flushed && !this.inSpeech && this.vad.isDetected()) {
      this.inSpeech = true;
      // The detector says "speech" only after minSpeechDuration of it (plus a window): that is where it began.
      events.push({ type: 'speech_started', startSample: Math.max(0, this.acceptedSamples - this.minSpeechSamples - windowSize) });
    }
    if (flushed) this.inSpeech = false;
    return events;
  }
}

export function sileroVoiceActivity(options: SileroVadOptions = {}): VoiceActivityDetectorFactory {
  const resolved: Required<SileroVadOptions> = {
    modelPath: options.modelPath ?? sileroModelPath(),
    threshold: options.threshold ?? 0.5,
    minSilenceSeconds: options.minSilenceSeconds ?? 0.5,
    minSpeechSeconds: options.minSpeechSeconds ?? 0.25,
    maxSpeechSeconds: options.maxSpeechSeconds ?? 20,
  };
  return { create: () => new SileroVoiceActivityDetector(resolved) };
}
