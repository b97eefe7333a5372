import { type KnownRecording, loadKnownRecordings } from './known-audio';

/**
 * Test and benchmark material built from the fixtures: an "interview" of several answers with silence between them,
 * and where each answer's speech lies in it, so a test can check text and timestamps against the truth.
 */
export interface ComposedRecording {
  readonly pcm: Buffer;
  readonly answers: readonly { readonly id: string; readonly transcript: string; readonly speechStartMs: number; readonly speechEndMs: number }[];
}

export function composeRecording(ids: readonly string[], silenceBetweenMs = 1500, recordings: readonly KnownRecording[] = loadKnownRecordings()): ComposedRecording {
  const parts: Buffer[] = [];
  const answers: ComposedRecording['answers'][number][] = [];
  let samples = 0;
  for (const [i, id] of ids.entries()) {
    const recording = recordings.find((r) => r.id === id);
    if (!recording) throw new Error(`no fixture ${id}`);
    if (i > 0) {
      const silence = Buffer.alloc(Math.round((silenceBetweenMs * 16_000) / 1000) * 2);
      parts.push(silence);
      samples += silence.length / 2;
    }
    answers.push({
      id,
      transcript: recording.transcript,
      speechStartMs: Math.round(((samples + recording.speechStartSample) * 1000) / 16_000),
      speechEndMs: Math.round(((samples + recording.speechEndSample) * 1000) / 16_000),
    });
    parts.push(recording.pcm);
    samples += recording.pcm.length / 2;
  }
  return { pcm: Buffer.concat(parts), answers };
}

/** Phone-sized frames (RecorderManager gives a frame every few hundred ms; 100 ms = 3200 bytes by default). */
export function framesOf(pcm: Buffer, frameMs = 100): Buffer[] {
  const size = Math.round((frameMs * 16_000) / 1000) * 2;
  const frames: Buffer[] = [];
  for (let offset = 0; offset < pcm.length; offset += size) frames.push(pcm.subarray(offset, offset + size));
  return frames;
}
