import { describe, expect, it } from 'vitest';
import { acousticSearches, KnownAudioRecogniser, type KnownRecording, loadKnownRecordings, type RecognitionEvent } from './known-audio';
import { framesOf } from './recordings';

/**
 * The simulated vendors' "recogniser": exact fixture audio is found by its bytes (as before); audio that went through
 * a browser (resampled, another gain, a little hiss) is found by its loudness contour; anything else gets no text.
 */
const recordings = loadKnownRecordings();
const cadence = { partialEveryMs: 200, endpointSilenceMs: 600 };

/** A repeatable pseudo-random sequence in [-1, 1) (tests must not depend on Math.random). */
function noise(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1_664_525) + 1_013_904_223) >>> 0;
    return state / 2 ** 31 - 1;
  };
}

/**
 * What a browser's audio path roughly does to a recording: 16 kHz → 48 kHz → 16 kHz by linear interpolation (the
 * way back starting between samples, so no sample survives unchanged), × `gain`, plus uniform hiss of `hiss` (of 32768).
 */
function throughBrowser(pcm: Buffer, gain = 0.5, hiss = 40, seed = 1): Buffer {
  const input = Array.from({ length: pcm.length / 2 }, (_, i) => pcm.readInt16LE(i * 2));
  const at = (samples: number[], position: number) => {
    const i = Math.floor(position);
    const a = samples[i] ?? 0;
    const b = samples[i + 1] ?? a;
    return a + (b - a) * (position - i);
  };
  const up = Array.from({ length: (input.length - 1) * 3 }, (_, n) => at(input, n / 3));
  const random = noise(seed);
  const down: number[] = [];
  for (let position = 1.37; position < up.length - 1; position += 3) down.push(at(up, position) * gain + random() * hiss);
  const out = Buffer.alloc(down.length * 2);
  down.forEach((v, i) => out.writeInt16LE(Math.max(-32_768, Math.min(32_767, Math.round(v))), i * 2));
  return out;
}

function recognise(pcm: Buffer, known: readonly KnownRecording[] = recordings) {
  const recogniser = new KnownAudioRecogniser(known, cadence);
  const events: RecognitionEvent[] = [];
  for (const frame of framesOf(pcm)) events.push(...recogniser.feed(frame));
  events.push(...recogniser.finish());
  const texts = events.flatMap((e) => (e.kind === 'begin' ? [] : [e.text]));
  return { events, identified: recogniser.identified, ends: events.filter((e) => e.kind === 'end'), texts };
}

const byId = (id: string) => recordings.find((r) => r.id === id)!;

describe('KnownAudioRecogniser', () => {
  it('finds exact fixture audio by its bytes, without an acoustic search, and reveals the sentence as before', () => {
    const searches = acousticSearches.length;
    for (const recording of recordings) {
      const { events, identified, ends } = recognise(recording.pcm);
      expect(identified).toEqual([recording.id]);
      expect(ends).toHaveLength(1);
      expect(ends[0]).toMatchObject({ kind: 'end', index: 0, text: recording.transcript });
      expect(events[0]).toEqual({ kind: 'begin', index: 0, startMs: Math.round(recording.speechStartSample / 16) });
    }
    expect(acousticSearches.length).toBe(searches);
    // A click nobody knows just before the answer does not hold the exact search up while the acoustic one waits.
    const recording = byId('star-quantified');
    const random = noise(3);
    const click = Buffer.alloc(16 * 50 * 2);
    for (let i = 0; i < click.length / 2; i += 1) click.writeInt16LE(Math.round(random() * 5000), i * 2);
    const { events, identified } = recognise(Buffer.concat([click, Buffer.alloc(16 * 300 * 2), recording.pcm]));
    expect(identified).toEqual([recording.id]);
    expect(events[0]).toEqual({ kind: 'begin', index: 0, startMs: 350 + Math.round(recording.speechStartSample / 16) });
  });

  it('identifies every fixture after resampling 16k→48k→16k, halving the gain and adding hiss, with the right transcript', () => {
    for (const [n, recording] of recordings.entries()) {
      const degraded = throughBrowser(recording.pcm, 0.5, 40, n + 1);
      expect(degraded.equals(recording.pcm.subarray(0, degraded.length))).toBe(false);
      const { events, identified, ends, texts } = recognise(degraded);
      expect(identified).toEqual([recording.id]);
      expect(ends.map((e) => e.text)).toEqual([recording.transcript]);
      // Partials grow along the sentence, at most one per 200 ms of audio, and never say anything else.
      const partials = events.filter((e) => e.kind === 'partial');
      expect(partials.length).toBeGreaterThan(5);
      for (const text of texts) expect(recording.transcript.startsWith(text)).toBe(true);
      for (let i = 1; i < partials.length; i += 1) expect(partials[i]!.text.length).toBeGreaterThanOrEqual(partials[i - 1]!.text.length);
      // The sentence's times are those of the speech, within a few frames.
      expect(Math.abs(ends[0]!.startMs - recording.speechStartSample / 16)).toBeLessThan(30);
      expect(Math.abs(ends[0]!.endMs - recording.speechEndSample / 16)).toBeLessThan(100);
    }
  });

  it('says nothing for white noise, silence or a fixture it does not know (no wrong transcript)', () => {
    const random = noise(7);
    const white = Buffer.alloc(16_000 * 2 * 8);
    for (let i = 0; i < white.length / 2; i += 1) white.writeInt16LE(Math.round(random() * 3000), i * 2);
    for (const pcm of [white, Buffer.alloc(16_000 * 2 * 3)]) {
      const { identified, texts } = recognise(pcm);
      expect(identified).toEqual([]);
      expect(texts.filter((t) => t !== '')).toEqual([]);
    }
    // Each fixture, browser-mangled, played to a recogniser that knows only the others.
    const before = acousticSearches.length;
    for (const [n, recording] of recordings.entries()) {
      const others = recordings.filter((r) => r !== recording);
      const { identified, texts } = recognise(throughBrowser(recording.pcm, 0.5, 40, n + 11), others);
      expect(identified).toEqual([]);
      expect(texts.filter((t) => t !== '')).toEqual([]);
    }
    // The acoustic search did run on that speech, and found every other fixture too unlike it.
    const searched = acousticSearches.slice(before);
    expect(searched.length).toBeGreaterThan(20);
    expect(searched.every((s) => s.recording === null && s.score < 0.8)).toBe(true);
  });

  it('hears the fixture looped twice as two sentences', () => {
    const recording = byId('star-no-result');
    const twice = throughBrowser(Buffer.concat([recording.pcm, recording.pcm]), 0.7, 30, 5);
    const { identified, ends } = recognise(twice);
    expect(identified).toEqual([recording.id, recording.id]);
    expect(ends.map((e) => e.text)).toEqual([recording.transcript, recording.transcript]);
    expect(ends[1]!.startMs - ends[0]!.startMs).toBeGreaterThan(recording.pcm.length / 32 - 100);
    expect(ends[1]!.startMs - ends[0]!.startMs).toBeLessThan(recording.pcm.length / 32 + 100);
  });

  it('ends a sentence settled with what was heard when the stream stops mid-way', () => {
    const recording = byId('closing');
    const half = throughBrowser(recording.pcm.subarray(0, Math.floor(recording.pcm.length / 4) * 2));
    const { ends, identified } = recognise(half);
    expect(identified).toEqual([recording.id]);
    expect(ends).toHaveLength(1);
    expect(ends[0]!.text.length).toBeGreaterThan(5);
    expect(ends[0]!.text.length).toBeLessThan(recording.transcript.length);
    expect(recording.transcript.startsWith(ends[0]!.text)).toBe(true);
  });
});
