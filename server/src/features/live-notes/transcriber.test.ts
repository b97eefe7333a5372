import { describe, expect, it } from 'vitest';
import { type SpeechEventListener, type SpeechStream, type SpeechToText, SpeechToTextError } from '../../ports/speech-to-text';
import type { VoiceActivityDetector, VoiceActivityEvent } from '../../ports/voice-activity';
import { LiveTranscriber, type TranscriptEvent } from './transcriber';

/**
 * A deterministic detector for the pipeline's own rules: speech is any sample above 0.1; it notices speech after 3200
 * samples of it (like a real detector's minimum speech) and ends it after 8000 samples of silence.
 */
function thresholdDetector(): VoiceActivityDetector {
  let position = 0;
  let speechFrom: number | undefined;
  let lastSpeech = -1;
  let announced = false;
  const events: VoiceActivityEvent[] = [];
  const end = () => {
    if (speechFrom !== undefined && announced) events.push({ type: 'speech_ended', startSample: speechFrom, endSample: lastSpeech + 1 });
    speechFrom = undefined;
    announced = false;
  };
  return {
    sampleRateHz: 16_000,
    accept(samples) {
      for (const sample of samples) {
        if (Math.abs(sample) > 0.1) {
          speechFrom ??= position;
          lastSpeech = position;
          if (!announced && position - speechFrom >= 3200) {
            announced = true;
            events.push({ type: 'speech_started', startSample: speechFrom });
          }
        } else if (speechFrom !== undefined && position - lastSpeech > 8000) end();
        position += 1;
      }
      return events.splice(0);
    },
    flush() {
      end();
      return events.splice(0);
    },
    close: () => undefined,
  };
}

/** An engine that "recognises" the number of loud samples it was sent, so what reached it is visible in the text. */
class CountingEngine implements SpeechToText {
  readonly engine = 'counting';
  readonly streams: { bytes: number; loud: number; firstLoudAt: number }[] = [];
  failOpens = 0;

  open(_options: unknown, listener: SpeechEventListener): Promise<SpeechStream> {
    if (this.failOpens > 0) {
      this.failOpens -= 1;
      return Promise.reject(new SpeechToTextError('ASR_QUOTA_EXCEEDED', '4006', 'busy', true));
    }
    const record = { bytes: 0, loud: 0, firstLoudAt: -1 };
    this.streams.push(record);
    let closed = false;
    return Promise.resolve({
      push(pcm) {
        const view = Buffer.from(pcm.buffer, pcm.byteOffset, pcm.length);
        for (let i = 0; i < view.length; i += 2) {
          if (Math.abs(view.readInt16LE(i)) > 3276) {
            if (record.firstLoudAt < 0) record.firstLoudAt = (record.bytes + i) / 2;
            record.loud += 1;
          }
        }
        record.bytes += view.length;
      },
      async finish() {
        if (closed) return;
        closed = true;
        const startMs = record.firstLoudAt / 16;
        listener({ type: 'final', sentenceIndex: 0, text: `loud=${record.loud}`, startMs, endMs: startMs + record.loud / 16 });
        listener({ type: 'closed' });
      },
      abort() {
        closed = true;
      },
    });
  }
}

/** 100 ms frames: `pattern` says which are a loud tone (1) and which silence (0). */
function framesFor(pattern: string): Uint8Array[] {
  return [...pattern].map((c) => {
    const frame = Buffer.alloc(3200);
    if (c === '1') for (let i = 0; i < 1600; i += 1) frame.writeInt16LE(i % 2 === 0 ? 16_000 : -16_000, i * 2);
    return frame;
  });
}

async function transcribe(engine: SpeechToText, frames: Uint8Array[], order = frames.map((_, i) => i)) {
  const events: TranscriptEvent[] = [];
  const transcriber = new LiveTranscriber({ interviewId: 'iv', speech: engine, voiceActivity: { create: thresholdDetector }, onEvent: (e) => events.push(e) });
  for (const seq of order) transcriber.acceptFrame({ seq, pcm: frames[seq] ?? new Uint8Array() });
  await transcriber.finish();
  return { events, transcriber };
}

describe('LiveTranscriber', () => {
  it('sends each utterance with its pre-roll as its own stream and times text from the start of the recording', async () => {
    const engine = new CountingEngine();
    const { events } = await transcribe(engine, framesFor('000011111100000000001111000000000'));
    expect(events).toEqual([
      { type: 'final', segmentId: '0.0', text: 'loud=9600', startMs: 400, endMs: 1000 },
      { type: 'final', segmentId: '1.0', text: 'loud=6400', startMs: 2000, endMs: 2400 },
    ]);
    // Silence between utterances beyond the pre-roll and the end-of-speech wait never reaches the engine.
    expect(engine.streams.reduce((sum, s) => sum + s.bytes, 0)).toBeLessThan(33 * 3200);
  });

  it('gives the same text whatever the order, duplicates and resends of the frames', async () => {
    const frames = framesFor('000011111100000000001111000000000');
    const plain = await transcribe(new CountingEngine(), frames);
    const shuffled = [0, 1, 3, 2, 2, 4, 6, 5, 5, 7, ...frames.map((_, i) => i).slice(8), 3, 12];
    const messy = await transcribe(new CountingEngine(), frames, shuffled);
    expect(messy.events.filter((e) => e.type === 'final')).toEqual(plain.events);
    expect(messy.transcriber.stats.framesDuplicate).toBe(4);
    expect(messy.events.filter((e) => e.type === 'gap')).toEqual([
      { type: 'gap', fromSeq: 2, toSeq: 2, action: 'waiting' },
      { type: 'gap', fromSeq: 5, toSeq: 5, action: 'waiting' },
    ]);
  });

  it('refuses malformed frames and frames after the end with stable codes', async () => {
    const transcriber = new LiveTranscriber({ interviewId: 'iv', speech: new CountingEngine(), voiceActivity: { create: thresholdDetector } });
    expect(transcriber.acceptFrame({ seq: 0, pcm: new Uint8Array(3) })).toMatchObject({ status: 'rejected', code: 'FRAME_INVALID' });
    expect(transcriber.acceptFrame({ seq: -1, pcm: new Uint8Array(2) })).toMatchObject({ status: 'rejected', code: 'FRAME_INVALID' });
    expect(transcriber.acceptFrame({ seq: 0, pcm: new Uint8Array(70_000) })).toMatchObject({ status: 'rejected', code: 'FRAME_INVALID' });
    expect(transcriber.acceptFrame({ seq: 0, pcm: new Uint8Array(2) })).toEqual({ status: 'accepted' });
    await transcriber.finish();
    expect(transcriber.acceptFrame({ seq: 1, pcm: new Uint8Array(2) })).toMatchObject({ status: 'rejected', code: 'TRANSCRIBER_FINISHED' });
  });

  it('reports an engine that refuses a stream and recovers with the next utterance', async () => {
    const engine = new CountingEngine();
    engine.failOpens = 1;
    const { events } = await transcribe(engine, framesFor('000011111100000000001111000000000'));
    expect(events).toEqual([
      { type: 'error', code: 'ASR_QUOTA_EXCEEDED', message: 'busy', retryable: true, segmentId: '0.0' },
      { type: 'final', segmentId: '1.0', text: 'loud=6400', startMs: 2000, endMs: 2400 },
    ]);
  });

  it('offers the events as an async iterator that ends after finish()', async () => {
    const transcriber = new LiveTranscriber({ interviewId: 'iv', speech: new CountingEngine(), voiceActivity: { create: thresholdDetector } });
    const collected: TranscriptEvent[] = [];
    const reading = (async () => {
      for await (const event of transcriber.events()) collected.push(event);
    })();
    framesFor('0011111000000000').forEach((pcm, seq) => transcriber.acceptFrame({ seq, pcm }));
    await transcriber.finish();
    await reading;
    expect(collected).toEqual([{ type: 'final', segmentId: '0.0', text: 'loud=8000', startMs: 200, endMs: 700 }]);
  });
});
