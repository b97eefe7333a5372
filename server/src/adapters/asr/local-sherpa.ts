import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import sherpa, { type OnlineRecognizer } from 'sherpa-onnx-node';
import {
  type SpeechEvent,
  type SpeechEventListener,
  type SpeechStream,
  type SpeechStreamOptions,
  type SpeechToText,
  SpeechToTextError,
  speechSampleRateHz,
} from '../../ports/speech-to-text';

/**
 * On-premises recognition with sherpa-onnx-node (no audio leaves the company) and a streaming zipformer transducer,
 * e.g. k2-fsa's sherpa-onnx-streaming-zipformer-zh-14M-2023-02-23 (Apache-2.0), fetched once with
 * `npm run asr:fetch-model`. Decoding runs on the server's CPU in this process.
 */
export interface LocalModelFiles {
  readonly encoder: string;
  readonly decoder: string;
  readonly joiner: string;
  readonly tokens: string;
}

/** Finds the transducer's files by name, preferring the int8 encoder and joiner (smaller, faster, same accuracy class). */
export function findModelFiles(directory: string): LocalModelFiles | undefined {
  if (!existsSync(directory)) return undefined;
  const names = readdirSync(directory);
  const pick = (part: string) => {
    const candidates = names.filter((n) => n.startsWith(`${part}-`) && n.endsWith('.onnx'));
    const chosen = candidates.find((n) => n.includes('.int8.')) ?? candidates[0];
    return chosen ? join(directory, chosen) : undefined;
  };
  const encoder = pick('encoder');
  const decoder = pickFloat(names, 'decoder', directory);
  const joiner = pick('joiner');
  const tokens = names.includes('tokens.txt') ? join(directory, 'tokens.txt') : undefined;
  return encoder && decoder && joiner && tokens ? { encoder, decoder, joiner, tokens } : undefined;
}

/** The decoder is small and its int8 version loses accuracy: prefer the float one. */
function pickFloat(names: readonly string[], part: string, directory: string): string | undefined {
  const candidates = names.filter((n) => n.startsWith(`${part}-`) && n.endsWith('.onnx'));
  const chosen = candidates.find((n) => !n.includes('.int8.')) ?? candidates[0];
  return chosen ? join(directory, chosen) : undefined;
}

export interface LocalAsrOptions {
  readonly modelDir: string;
  readonly numThreads?: number;
}

export class LocalSpeechToText implements SpeechToText {
  readonly engine = 'local';
  private recognizer: OnlineRecognizer | undefined;

  constructor(private readonly options: LocalAsrOptions) {}

  private load(): OnlineRecognizer {
    if (this.recognizer) return this.recognizer;
    const files = findModelFiles(this.options.modelDir);
    if (!files) {
      throw new SpeechToTextError(
        'ASR_UNAVAILABLE',
        'model_missing',
        `本地语音模型不完整或不存在：${this.options.modelDir}。Local model not found (need encoder/decoder/joiner .onnx and tokens.txt); run npm run asr:fetch-model.`,
        false,
      );
    }
    this.recognizer = new sherpa.OnlineRecognizer({
      featConfig: { sampleRate: speechSampleRateHz, featureDim: 80 },
      modelConfig: { transducer: files, tokens: files.tokens, numThreads: this.options.numThreads ?? 1, provider: 'cpu', debug: 0 },
      decodingMethod: 'greedy_search',
      // Sentence endpoints inside an utterance: 1.2 s trailing silence, or 0.8 s after some text, or 20 s of speech.
      enableEndpoint: true,
      rule1MinTrailingSilence: 1.2,
      rule2MinTrailingSilence: 0.8,
      rule3MinUtteranceLength: 20,
    });
    return this.recognizer;
  }

  open(_options: SpeechStreamOptions, listener: SpeechEventListener): Promise<SpeechStream> {
    let recognizer: OnlineRecognizer;
    try {
      recognizer = this.load();
    } catch (error) {
      return Promise.reject(error);
    }
    const stream = recognizer.createStream();
    let samples = 0;
    let sentenceIndex = 0;
    let sentenceStartSample = 0;
    let lastText = '';
    let closed = false;
    const ms = (sample: number) => Math.round((sample * 1000) / speechSampleRateHz);
    const emit = (event: SpeechEvent) => {
      if (!closed) listener(event);
      if (event.type === 'closed') closed = true;
    };
    const settle = () => {
      const text = recognizer.getResult(stream).text.trim();
      if (text) emit({ type: 'final', sentenceIndex, text, startMs: ms(sentenceStartSample), endMs: ms(samples) });
      sentenceIndex += text ? 1 : 0;
      sentenceStartSample = samples;
      lastText = '';
    };
    const decode = () => {
      while (recognizer.isReady(stream)) recognizer.decode(stream);
      const text = recognizer.getResult(stream).text.trim();
      if (recognizer.isEndpoint(stream)) {
        settle();
        recognizer.reset(stream);
      } else if (text && text !== lastText) {
        lastText = text;
        emit({ type: 'partial', sentenceIndex, text, startMs: ms(sentenceStartSample), endMs: ms(samples) });
      }
    };
    return Promise.resolve({
      push: (pcm) => {
        if (closed) return;
        const view = Buffer.from(pcm.buffer, pcm.byteOffset, pcm.length);
        const floats = new Float32Array(view.length / 2);
        for (let i = 0; i < floats.length; i += 1) floats[i] = view.readInt16LE(i * 2) / 32_768;
        stream.acceptWaveform({ samples: floats, sampleRate: speechSampleRateHz });
        samples += floats.length;
        decode();
      },
      finish: async () => {
        if (closed) return;
        // Trailing silence lets the model emit the last tokens before the input is closed.
        stream.acceptWaveform({ samples: new Float32Array(speechSampleRateHz / 2), sampleRate: speechSampleRateHz });
        stream.inputFinished();
        while (recognizer.isReady(stream)) recognizer.decode(stream);
        settle();
        emit({ type: 'closed' });
      },
      abort: () => emit({ type: 'closed' }),
    });
  }
}
