import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The simulated vendors cannot recognise speech. They know the fixture recordings (tests/fixtures/audio-zh: WAV files
 * and their transcripts) and find which one they are being fed by looking the first stretch of speech up in the
 * fixtures' PCM; then they reveal that sentence as the audio covering it arrives. Audio they do not know yields no
 * text at all, as a real engine gives none for noise — nothing is made up.
 *
 * Two ways to find the fixture. Exact: 20 ms of PCM found byte for byte (audio that passed unchanged from a file or a
 * phone's RecorderManager). Acoustic, when the exact search finds nothing: audio that went through a browser (48 kHz
 * capture, resampling, gain control, noise suppression) has other bytes but the same loudness contour, so each 10 ms
 * frame's log energy is compared with every fixture's by normalized correlation over 1.2 s of speech (gain-proof:
 * a constant factor only shifts log energy; time-proof: every offset of every fixture is tried). A match must then
 * keep agreeing (the correlation of the latest 1.2 s, a few frames of drift allowed) or it is dropped.
 */
export interface KnownRecording {
  readonly id: string;
  readonly transcript: string;
  /** PCM16 LE mono 16 kHz, without the WAV header. */
  readonly pcm: Buffer;
  /** First and one-past-last sample above the speech threshold. */
  readonly speechStartSample: number;
  readonly speechEndSample: number;
}

export const fixtureDirectory = join(dirname(fileURLToPath(import.meta.url)), '../../../fixtures/audio-zh');

/** Amplitude (of 32768) under which a sample counts as silence; espeak-ng pads with exact zeros. */
const speechThreshold = 300;

/** The PCM of a canonical 16 kHz mono 16-bit WAV file (finds the `data` chunk, refuses anything else). */
export function wavPcm(file: Buffer): Buffer {
  if (file.toString('ascii', 0, 4) !== 'RIFF' || file.toString('ascii', 8, 12) !== 'WAVE') throw new Error('not a WAV file');
  let offset = 12;
  let format: { channels: number; rate: number; bits: number } | undefined;
  while (offset + 8 <= file.length) {
    const id = file.toString('ascii', offset, offset + 4);
    const size = file.readUInt32LE(offset + 4);
    const body = offset + 8;
    if (id === 'fmt ') format = { channels: file.readUInt16LE(body + 2), rate: file.readUInt32LE(body + 4), bits: file.readUInt16LE(body + 14) };
    if (id === 'data') {
      if (!format || format.channels !== 1 || format.rate !== 16_000 || format.bits !== 16) throw new Error('not 16 kHz mono PCM16');
      return file.subarray(body, body + size);
    }
    offset = body + size + (size % 2);
  }
  throw new Error('WAV file without data chunk');
}

export function speechBounds(pcm: Buffer): { start: number; end: number } {
  const samples = pcm.length / 2;
  let start = 0;
  while (start < samples && Math.abs(pcm.readInt16LE(start * 2)) < speechThreshold) start += 1;
  let end = samples;
  while (end > start && Math.abs(pcm.readInt16LE((end - 1) * 2)) < speechThreshold) end -= 1;
  return { start, end };
}

export function loadKnownRecordings(directory: string = fixtureDirectory): KnownRecording[] {
  // Without fixtures the vendors still speak the protocol; they just know no audio.
  if (!existsSync(join(directory, 'transcripts.tsv'))) return [];
  const transcripts = new Map<string, string>();
  for (const line of readFileSync(join(directory, 'transcripts.tsv'), 'utf8').split('\n')) {
    const [id, text] = line.split('\t');
    if (id && text) transcripts.set(id, text.trim());
  }
  return readdirSync(directory)
    .filter((name) => name.endsWith('.wav'))
    .sort()
    .flatMap((name) => {
      const id = name.slice(0, -4);
      const transcript = transcripts.get(id);
      if (!transcript) return [];
      const pcm = wavPcm(readFileSync(join(directory, name)));
      const bounds = speechBounds(pcm);
      return [{ id, transcript, pcm, speechStartSample: bounds.start, speechEndSample: bounds.end }];
    });
}

/** 20 ms of speech is plenty to tell the fixtures apart and is never all silence. */
const needleSamples = 320;

export type RecognitionEvent =
  | { readonly kind: 'begin'; readonly index: number; readonly startMs: number }
  | { readonly kind: 'partial'; readonly index: number; readonly text: string; readonly startMs: number; readonly endMs: number }
  | { readonly kind: 'end'; readonly index: number; readonly text: string; readonly startMs: number; readonly endMs: number };

export interface RecognitionCadence {
  /** A new partial at most every this much audio (the vendors answer every few packets). */
  readonly partialEveryMs: number;
  /** Silence after the speech that makes the engine settle a sentence on its own. */
  readonly endpointSilenceMs: number;
}

interface Candidate {
  readonly recording: KnownRecording;
  /** Stream sample that corresponds to the recording's sample 0 (an acoustic match follows the stream's drift). */
  streamSampleOfRecordingStart: number;
  /** Set when found by its loudness contour rather than its bytes: followed by continued agreement. */
  readonly acoustic?: AcousticTrack;
}

interface AcousticTrack {
  /** Stream frame where the matched stretch began (checks never look earlier). */
  readonly sinceFrame: number;
  /** Stream frame up to which the agreement was last checked. */
  checkedToFrame: number;
  /** Checks in a row that found no agreement. */
  misses: number;
}

/** 10 ms frames at 16 kHz. */
const frameSamples = 160;
/** Mean square (of PCM16) added before the log: about -60 dBFS, so digital silence and faint hiss look alike. */
const energyFloor = 1000;
const floorDb = 10 * Math.log10(energyFloor);
/** Frames compared to find a fixture: 1.2 s (at 0.8 s, other fixtures' best offsets reached 0.89; at 1.2 s, 0.73). */
const matchFrames = 120;
/**
 * Correlation that identifies a fixture. Seen over 1.2 s: the right fixture 0.91 at the speech onset through
 * Chromium's fake microphone and the H5 recorder (0.79–0.99 anywhere along the sentence), 0.98–0.99 for resampled,
 * halved, hissy audio; the best wrong fixture at most 0.74 (a fixture played to a recogniser that knows only the others).
 */
const lockCorrelation = 0.8;
/** Below this in two checks in a row, a followed match is dropped. */
const keepCorrelation = 0.55;
/** Agreement is checked every this many new frames, over the latest `matchFrames` frames. */
const checkEveryFrames = 10;
/** Drift allowed per check (capture glitches drop or repeat a few tens of ms). */
const driftFrames = 8;
/** After a miss the acoustic search slides on by this much. */
const searchStrideFrames = 20;
/**
 * The stretch searched must be continuous speech — a loudness spread, most frames well above the floor and no pause
 * longer than 250 ms (the fixtures pause at most 140 ms inside a sentence) — and so is each fixture stretch it is
 * compared with: a window half speech, half silence correlates with any other such window by that one step alone.
 */
const minSpreadDb = 3;
const minSpeechShare = 0.75;
const maxPauseFrames = 25;
const speechDb = floorDb + 15;

/** What the acoustic search saw, newest last (bounded): for tests and the report, never for decisions. */
export interface AcousticSearchRecord {
  /** The fixture identified, or null when no fixture correlated enough. */
  readonly recording: string | null;
  readonly score: number;
  /** The best correlation among the other fixtures. */
  readonly runnerUp: string | null;
  readonly runnerUpScore: number;
  /** Speech heard (from its onset) when the search decided. */
  readonly speechMs: number;
}
export const acousticSearches: AcousticSearchRecord[] = [];
const keepSearchRecords = 256;

interface Features {
  /** Log energy per 10 ms frame, dB. */
  readonly db: Float64Array;
  /** Prefix sums of db and db² (length frames + 1) for each window's mean and variance in O(1). */
  readonly sum: Float64Array;
  readonly sumSquares: Float64Array;
}

const frameDb = (pcm: Buffer, frame: number): number => {
  let energy = 0;
  for (let i = frame * frameSamples, end = i + frameSamples; i < end; i += 1) {
    const v = pcm.readInt16LE(i * 2);
    energy += v * v;
  }
  return 10 * Math.log10(energy / frameSamples + energyFloor);
};

const featureCache = new WeakMap<KnownRecording, Features>();
function featuresOf(recording: KnownRecording): Features {
  const cached = featureCache.get(recording);
  if (cached) return cached;
  const frames = Math.floor(recording.pcm.length / 2 / frameSamples);
  const db = new Float64Array(frames);
  const sum = new Float64Array(frames + 1);
  const sumSquares = new Float64Array(frames + 1);
  for (let f = 0; f < frames; f += 1) {
    db[f] = frameDb(recording.pcm, f);
    sum[f + 1] = sum[f]! + db[f]!;
    sumSquares[f + 1] = sumSquares[f]! + db[f]! * db[f]!;
  }
  const features = { db, sum, sumSquares };
  featureCache.set(recording, features);
  return features;
}

/** Pearson correlation of a[aFrom…aFrom+n) and b[bFrom…bFrom+n); 0 when either is flat. */
function correlation(a: Float64Array, aFrom: number, b: Float64Array, bFrom: number, n: number): number {
  let sa = 0;
  let sb = 0;
  let saa = 0;
  let sbb = 0;
  let sab = 0;
  for (let i = 0; i < n; i += 1) {
    const x = a[aFrom + i]!;
    const y = b[bFrom + i]!;
    sa += x;
    sb += y;
    saa += x * x;
    sbb += y * y;
    sab += x * y;
  }
  const va = saa - (sa * sa) / n;
  const vb = sbb - (sb * sb) / n;
  return va > 1e-9 && vb > 1e-9 ? (sab - (sa * sb) / n) / Math.sqrt(va * vb) : 0;
}

interface Following {
  /** Every fixture position the audio so far matches; narrowed as more audio arrives (many answers start with 我). */
  candidates: Candidate[];
  readonly index: number;
  verifiedUpToSample: number;
  lastPartialAtSample: number;
  lastText: string;
}

const commonPrefix = (texts: readonly string[]) => {
  const [first = '', ...rest] = texts;
  let length = first.length;
  for (const text of rest) {
    let i = 0;
    while (i < length && text[i] === first[i]) i += 1;
    length = i;
  }
  return first.slice(0, length);
};

/**
 * One stream's "recogniser": fed the stream's PCM in order, it says when a known sentence begins, how much of it has
 * been heard (text revealed in proportion to the speech covered; while the audio still fits several fixtures, only the
 * text they share) and when it ends.
 */
export class KnownAudioRecogniser {
  private store = Buffer.alloc(1 << 20);
  private length = 0;
  private searchFromSample = 0;
  /** Onset of speech the exact search did not know, waiting for its acoustic search. */
  private acousticOnset: number | undefined;
  /** After an acoustic search found nothing, the next one starts this much later. */
  private acousticNotBefore = 0;
  /** The stream's log energy per complete 10 ms frame. */
  private envelope = new Float64Array(1024);
  private envelopeFrames = 0;
  private following: Following | undefined;
  private nextIndex = 0;
  readonly identified: string[] = [];

  constructor(
    private readonly recordings: readonly KnownRecording[],
    private readonly cadence: RecognitionCadence,
  ) {}

  /** Stream samples received so far. */
  get samples(): number {
    return Math.floor(this.length / 2);
  }

  feed(pcm: Buffer): RecognitionEvent[] {
    if (this.length + pcm.length > this.store.length) {
      const grown = Buffer.alloc(Math.max(this.store.length * 2, this.length + pcm.length));
      this.store.copy(grown, 0, 0, this.length);
      this.store = grown;
    }
    pcm.copy(this.store, this.length);
    this.length += pcm.length;
    this.extendEnvelope();
    const events: RecognitionEvent[] = [];
    for (;;) {
      if (this.following) {
        events.push(...this.progress(this.following, false));
        if (this.following) break;
      } else if (!this.search(events)) break;
    }
    return events;
  }

  /** The audio ended: a sentence in progress is settled with what was heard. */
  finish(): RecognitionEvent[] {
    return this.following ? this.progress(this.following, true) : [];
  }

  private search(events: RecognitionEvent[]): boolean {
    const audio = this.store.subarray(0, this.length);
    const total = this.samples;
    let at = this.searchFromSample;
    while (at < total && Math.abs(audio.readInt16LE(at * 2)) < speechThreshold) at += 1;
    if (at + needleSamples > total) {
      this.searchFromSample = at;
      return this.searchAcoustically(events);
    }
    const needle = audio.subarray(at * 2, (at + needleSamples) * 2);
    const candidates: Candidate[] = [];
    for (const recording of this.recordings) {
      for (let found = recording.pcm.indexOf(needle); found >= 0; found = recording.pcm.indexOf(needle, found + 1)) {
        if (found % 2 === 0) candidates.push({ recording, streamSampleOfRecordingStart: at - found / 2 });
      }
    }
    if (candidates.length === 0) {
      // Not these bytes: skip ahead and look again further on. The same speech is looked up by its loudness contour
      // once enough of it has arrived (speech nobody knows: no text).
      if (this.acousticOnset === undefined && at >= this.acousticNotBefore) this.acousticOnset = at;
      this.searchFromSample = at + needleSamples;
      this.searchAcoustically(events);
      return true;
    }
    this.acousticOnset = undefined;
    this.follow(candidates, at, at + needleSamples, events);
    return true;
  }

  /** Runs the pending acoustic search once its 1.2 s have arrived; true when it found a fixture to follow. */
  private searchAcoustically(events: RecognitionEvent[]): boolean {
    if (this.acousticOnset === undefined || this.following) return false;
    const onset = this.acousticOnset;
    const found = this.acousticSearch(onset);
    if (found === 'wait') return false;
    this.acousticOnset = undefined;
    if (found.length === 0) {
      this.acousticNotBefore = (Math.floor(onset / frameSamples) + searchStrideFrames) * frameSamples;
      return false;
    }
    this.follow(found, onset, this.samples, events);
    return true;
  }

  private follow(candidates: Candidate[], at: number, verifiedUpTo: number, events: RecognitionEvent[]): void {
    const index = this.nextIndex++;
    this.following = { candidates, index, verifiedUpToSample: verifiedUpTo, lastPartialAtSample: at, lastText: '' };
    events.push({ kind: 'begin', index, startMs: this.ms(at) });
  }

  /** Log energy of every newly completed 10 ms frame of the stream (each frame computed once). */
  private extendEnvelope(): void {
    const frames = Math.floor(this.samples / frameSamples);
    if (frames > this.envelope.length) {
      const grown = new Float64Array(Math.max(this.envelope.length * 2, frames));
      grown.set(this.envelope.subarray(0, this.envelopeFrames));
      this.envelope = grown;
    }
    for (; this.envelopeFrames < frames; this.envelopeFrames += 1) this.envelope[this.envelopeFrames] = frameDb(this.store, this.envelopeFrames);
  }

  /**
   * The fixtures whose loudness contour matches the 1.2 s of stream from the speech onset `at` (one place per
   * fixture, the best). Costs one pass over every fixture's frames (about 6 000 offsets × 120 frames), at most once
   * per 200 ms of unknown speech. `wait` until 1.2 s from the onset have arrived.
   */
  private acousticSearch(at: number): Candidate[] | 'wait' {
    const from = Math.max(0, Math.floor(at / frameSamples) - 2);
    if (from + matchFrames > this.envelopeFrames || this.recordings.length === 0) return 'wait';
    const window = this.envelope.subarray(from, from + matchFrames);
    let mean = 0;
    let speech = 0;
    let pause = 0;
    let longestPause = 0;
    for (const v of window) {
      mean += v / matchFrames;
      pause = v > speechDb ? 0 : pause + 1;
      if (pause === 0) speech += 1;
      longestPause = Math.max(longestPause, pause);
    }
    let norm = 0;
    const centred = window.map((v) => v - mean);
    for (const v of centred) norm += v * v;
    norm = Math.sqrt(norm);
    const speechMs = this.ms((from + matchFrames) * frameSamples - at);
    if (norm / Math.sqrt(matchFrames) < minSpreadDb || speech < matchFrames * minSpeechShare || longestPause > maxPauseFrames) return [];
    const best = this.recordings.map((recording) => {
      const { db, sum, sumSquares } = featuresOf(recording);
      let top = { offset: -1, score: -1 };
      const first = Math.max(0, Math.floor(recording.speechStartSample / frameSamples) - 5);
      const last = Math.min(db.length, Math.ceil(recording.speechEndSample / frameSamples) + 5) - matchFrames;
      for (let offset = first; offset <= last; offset += 1) {
        const s = sum[offset + matchFrames]! - sum[offset]!;
        const variance = sumSquares[offset + matchFrames]! - sumSquares[offset]! - (s * s) / matchFrames;
        if (variance <= 1e-9) continue;
        let dot = 0;
        for (let i = 0; i < matchFrames; i += 1) dot += centred[i]! * db[offset + i]!;
        const score = dot / (norm * Math.sqrt(variance));
        if (score > top.score) top = { offset, score };
      }
      return { recording, ...top };
    }).sort((a, b) => b.score - a.score);
    const found = best.filter((b) => b.score >= lockCorrelation);
    const runnerUp = best[found.length > 0 ? found.length : 1];
    acousticSearches.push({
      recording: found[0]?.recording.id ?? null,
      score: best[0]!.score,
      runnerUp: runnerUp?.recording.id ?? null,
      runnerUpScore: runnerUp?.score ?? 0,
      speechMs,
    });
    if (acousticSearches.length > keepSearchRecords) acousticSearches.splice(0, acousticSearches.length - keepSearchRecords);
    return found.map(({ recording, offset }) => ({
      recording,
      streamSampleOfRecordingStart: (from - offset) * frameSamples,
      acoustic: { sinceFrame: from, checkedToFrame: from + matchFrames, misses: 0 },
    }));
  }

  /**
   * Whether an acoustic match still agrees with the stream: the latest 1.2 s (within the fixture's speech) correlated
   * at the current alignment ± a few frames; the best alignment is followed. Two failed checks in a row drop it.
   */
  private stillAgrees(candidate: Candidate, track: AcousticTrack): boolean {
    const { db } = featuresOf(candidate.recording);
    const shift = Math.round(candidate.streamSampleOfRecordingStart / frameSamples);
    const end = Math.min(this.envelopeFrames, Math.floor(candidate.recording.speechEndSample / frameSamples) + shift);
    if (end - track.checkedToFrame < checkEveryFrames) return true;
    track.checkedToFrame = end;
    const start = Math.max(track.sinceFrame, end - matchFrames);
    let best = { drift: 0, score: -1 };
    for (let drift = -driftFrames; drift <= driftFrames; drift += 1) {
      const recordingFrom = start - shift - drift;
      if (recordingFrom < 0 || end - shift - drift > db.length) continue;
      const score = correlation(this.envelope, start, db, recordingFrom, end - start);
      if (score > best.score) best = { drift, score };
    }
    if (end - start < matchFrames / 2 || best.score >= keepCorrelation) {
      if (best.score >= keepCorrelation) candidate.streamSampleOfRecordingStart += best.drift * frameSamples;
      track.misses = 0;
      return true;
    }
    track.misses += 1;
    return track.misses < 2;
  }

  /** Drops the candidates that the audio heard since the last check contradicts. */
  private narrow(following: Following): void {
    const upTo = this.samples;
    following.candidates = following.candidates.filter((candidate) => {
      if (candidate.acoustic) return this.stillAgrees(candidate, candidate.acoustic);
      const { recording, streamSampleOfRecordingStart: base } = candidate;
      const from = following.verifiedUpToSample;
      const to = Math.min(upTo, base + recording.pcm.length / 2);
      if (to <= from) return true;
      const heard = this.store.subarray(from * 2, to * 2);
      return heard.equals(recording.pcm.subarray((from - base) * 2, (to - base) * 2));
    });
    following.verifiedUpToSample = upTo;
  }

  private progress(following: Following, finished: boolean): RecognitionEvent[] {
    this.narrow(following);
    const events: RecognitionEvent[] = [];
    const close = (text: string, endSample: number, resumeAt: number) => {
      events.push({ kind: 'end', index: following.index, text, startMs: this.ms(this.startSampleOf(following)), endMs: this.ms(endSample) });
      this.following = undefined;
      this.searchFromSample = Math.min(Math.max(this.searchFromSample, resumeAt), this.samples);
    };
    if (following.candidates.length === 0) {
      // The audio left every fixture it looked like: nothing known was said.
      close('', this.samples, this.samples);
      return events;
    }
    const views = following.candidates.map(({ recording, streamSampleOfRecordingStart: base }) => {
      const heardUpTo = this.samples - base;
      const speechLength = recording.speechEndSample - recording.speechStartSample;
      const covered = Math.min(1, Math.max(0, (heardUpTo - recording.speechStartSample) / speechLength));
      return {
        text: recording.transcript.slice(0, Math.round(recording.transcript.length * covered)),
        endSample: base + Math.min(recording.speechEndSample, heardUpTo),
        settled: heardUpTo >= Math.min(recording.speechEndSample + (this.cadence.endpointSilenceMs * 16_000) / 1000, recording.pcm.length / 2),
        recordingEnd: base + recording.pcm.length / 2,
      };
    });
    const text = commonPrefix(views.map((v) => v.text));
    const first = views[0];
    const only = following.candidates.length === 1 ? following.candidates[0] : undefined;
    if (first && (finished || (only && first.settled))) {
      if (only) this.identified.push(only.recording.id);
      close(text, first.endSample, first.recordingEnd);
      return events;
    }
    const everySamples = (this.cadence.partialEveryMs * 16_000) / 1000;
    if (first && text.length > 0 && text !== following.lastText && this.samples - following.lastPartialAtSample >= everySamples) {
      following.lastPartialAtSample = this.samples;
      following.lastText = text;
      events.push({ kind: 'partial', index: following.index, text, startMs: this.ms(this.startSampleOf(following)), endMs: this.ms(first.endSample) });
    }
    return events;
  }

  private startSampleOf(following: Following): number {
    const candidate = following.candidates[0];
    return candidate ? Math.max(0, candidate.streamSampleOfRecordingStart + candidate.recording.speechStartSample) : following.lastPartialAtSample;
  }

  private ms(sample: number): number {
    return Math.round((sample * 1000) / 16_000);
  }
}
