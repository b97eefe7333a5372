import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The simulated vendors cannot recognise speech. They know the fixture recordings (tests/fixtures/audio-zh: WAV files
 * and their transcripts) and find which one they are being fed by looking the first stretch of speech up in the
 * fixtures' PCM; then they reveal that sentence as the audio covering it arrives. Audio they do not know yields no
 * text at all, as a real engine gives none for noise — nothing is made up.
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
  /** Stream sample that corresponds to the recording's sample 0. */
  readonly streamSampleOfRecordingStart: number;
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
      return false;
    }
    const needle = audio.subarray(at * 2, (at + needleSamples) * 2);
    const candidates: Candidate[] = [];
    for (const recording of this.recordings) {
      for (let found = recording.pcm.indexOf(needle); found >= 0; found = recording.pcm.indexOf(needle, found + 1)) {
        if (found % 2 === 0) candidates.push({ recording, streamSampleOfRecordingStart: at - found / 2 });
      }
    }
    if (candidates.length === 0) {
      // Speech nobody knows: no text. Skip ahead and look again further on.
      this.searchFromSample = at + needleSamples;
      return true;
    }
    const index = this.nextIndex++;
    this.following = { candidates, index, verifiedUpToSample: at + needleSamples, lastPartialAtSample: at, lastText: '' };
    events.push({ kind: 'begin', index, startMs: this.ms(at) });
    return true;
  }

  /** Drops the candidates that the audio heard since the last check contradicts. */
  private narrow(following: Following): void {
    const upTo = this.samples;
    following.candidates = following.candidates.filter(({ recording, streamSampleOfRecordingStart: base }) => {
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
