// The part of sherpa-onnx-node 1.13.8 the ASR adapters use (the package ships JSDoc, no TypeScript declarations).
declare module 'sherpa-onnx-node' {
  export interface SpeechSegment {
    /** Index of the first sample, counted from the first sample the detector accepted. */
    readonly start: number;
    readonly samples: Float32Array;
  }

  export interface VadConfig {
    readonly sileroVad: {
      readonly model: string;
      readonly threshold: number;
      readonly minSilenceDuration: number;
      readonly minSpeechDuration: number;
      readonly windowSize: number;
      readonly maxSpeechDuration?: number;
    };
    readonly sampleRate: number;
    readonly numThreads?: number;
    readonly provider?: string;
    readonly debug?: boolean | number;
  }

  export class Vad {
    constructor(config: VadConfig, bufferSizeInSeconds: number);
    acceptWaveform(samples: Float32Array): void;
    isEmpty(): boolean;
    isDetected(): boolean;
    pop(): void;
    clear(): void;
    front(enableExternalBuffer?: boolean): SpeechSegment;
    reset(): void;
    flush(): void;
  }

  export interface OnlineRecognizerConfig {
    readonly featConfig: { readonly sampleRate: number; readonly featureDim: number };
    readonly modelConfig: {
      readonly transducer: { readonly encoder: string; readonly decoder: string; readonly joiner: string };
      readonly tokens: string;
      readonly numThreads: number;
      readonly provider: string;
      readonly debug: number;
    };
    readonly decodingMethod: string;
    readonly enableEndpoint: boolean;
    readonly rule1MinTrailingSilence: number;
    readonly rule2MinTrailingSilence: number;
    readonly rule3MinUtteranceLength: number;
  }

  export class OnlineStream {
    acceptWaveform(wave: { samples: Float32Array; sampleRate: number }): void;
    inputFinished(): void;
  }

  export class OnlineRecognizer {
    constructor(config: OnlineRecognizerConfig);
    createStream(): OnlineStream;
    isReady(stream: OnlineStream): boolean;
    decode(stream: OnlineStream): void;
    isEndpoint(stream: OnlineStream): boolean;
    reset(stream: OnlineStream): void;
    getResult(stream: OnlineStream): { text: string; tokens?: string[]; timestamps?: number[] };
  }

  /** CommonJS module: Node's ESM loader exposes it only as the default export. */
  const sherpa: { Vad: typeof Vad; OnlineRecognizer: typeof OnlineRecognizer };
  export default sherpa;
}
