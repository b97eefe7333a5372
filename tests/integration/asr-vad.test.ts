import { describe, expect, it } from 'vitest';
import { sileroModelPath, sileroVoiceActivity } from '../../server/src/adapters/asr/vad';
import type { VoiceActivityEvent } from '../../server/src/ports/voice-activity';
import { loadKnownRecordings } from '../simulator/src/asr/known-audio';
import { composeRecording } from '../simulator/src/asr/recordings';

function detect(pcm: Buffer, chunkSamples = 1600): VoiceActivityEvent[] {
  const detector = sileroVoiceActivity().create();
  const events: VoiceActivityEvent[] = [];
  for (let offset = 0; offset < pcm.length; offset += chunkSamples * 2) {
    const part = pcm.subarray(offset, offset + chunkSamples * 2);
    const samples = new Float32Array(part.length / 2);
    for (let i = 0; i < samples.length; i += 1) samples[i] = part.readInt16LE(i * 2) / 32_768;
    events.push(...detector.accept(samples));
  }
  events.push(...detector.flush());
  detector.close();
  return events;
}

describe('silero VAD from npm (@ricky0123/vad-web) in sherpa-onnx-node', () => {
  it('takes the model shipped on npm, so a fresh install needs no download', () => {
    expect(sileroModelPath()).toMatch(/@ricky0123\/vad-web\/dist\/silero_vad_v6\.onnx$/);
  });

  it('finds each synthetic answer of an interview as one utterance, close to where the speech really is', () => {
    const interview = composeRecording(loadKnownRecordings().map((r) => r.id), 1500);
    const ended = detect(interview.pcm).filter((e) => e.type === 'speech_ended');
    expect(ended).toHaveLength(interview.answers.length);
    for (const [i, utterance] of ended.entries()) {
      const answer = interview.answers[i];
      if (!answer || utterance.type !== 'speech_ended') throw new Error('mismatch');
      expect(Math.abs(utterance.startSample / 16 - answer.speechStartMs)).toBeLessThan(250);
      expect(Math.abs(utterance.endSample / 16 - answer.speechEndMs)).toBeLessThan(400);
    }
  });

  it('announces speech while it goes on, then its end', () => {
    const events = detect(composeRecording(['closing']).pcm);
    expect(events.map((e) => e.type)).toEqual(['speech_started', 'speech_ended']);
  });

  it('finds nothing in silence', () => {
    expect(detect(Buffer.alloc(16_000 * 2 * 3))).toEqual([]);
  });
});
