import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from '@hirebridge/simulator';
import { AlibabaSpeechToText } from '../../server/src/adapters/asr/alibaba-nls';
import { TencentSpeechToText } from '../../server/src/adapters/asr/tencent-asr';
import { sileroVoiceActivity } from '../../server/src/adapters/asr/vad';
import { LiveTranscriber, type TranscriptEvent } from '../../server/src/features/live-notes/transcriber';
import { systemClock } from '../../server/src/ports/clock';
import type { SpeechToText } from '../../server/src/ports/speech-to-text';
import { composeRecording, framesOf } from '../simulator/src/asr/recordings';

const tencentApp = { appId: '1300000002', secretId: 'AKIDpipeline0001', secretKey: 'pipeline-secret-0001' };
const alibabaAccount = { accessKeyId: 'LTAIpipeline0001', accessKeySecret: 'pipeline-ali-secret', appKeys: ['appkey-pipeline'] };
const voiceActivity = sileroVoiceActivity();
// All five answers: two begin with 我, so the simulated vendors must tell them apart by more than the first syllable.
const interview = composeRecording(['star-quantified', 'star-no-result', 'closing', 'situation-task', 'action-detail'], 1500);
const frames = framesOf(interview.pcm, 100);

let sim: Simulator;
beforeAll(async () => {
  sim = await startSimulator();
  sim.asr.tencent.addApp(tencentApp);
  sim.asr.alibaba.addAccount(alibabaAccount);
});
afterAll(async () => {
  await sim.stop();
});

const engines: [string, () => SpeechToText][] = [
  ['Tencent', () => new TencentSpeechToText({ ...tencentApp, endpoint: sim.asr.endpoints.tencent, clock: systemClock })],
  [
    'Alibaba',
    () =>
      new AlibabaSpeechToText({
        accessKeyId: alibabaAccount.accessKeyId,
        accessKeySecret: alibabaAccount.accessKeySecret,
        appKey: 'appkey-pipeline',
        tokenEndpoint: sim.asr.endpoints.alibabaToken,
        gatewayUrl: sim.asr.endpoints.alibabaGateway,
        clock: systemClock,
      }),
  ],
];

/** Feeds frames in the given order of sequence numbers, yielding to I/O between frames (faster than real time). */
async function run(speech: SpeechToText, order: readonly number[]): Promise<{ events: TranscriptEvent[]; transcriber: LiveTranscriber }> {
  const events: TranscriptEvent[] = [];
  const transcriber = new LiveTranscriber({ interviewId: 'iv-pipeline', speech, voiceActivity, onEvent: (e) => events.push(e) });
  for (const seq of order) {
    const pcm = frames[seq];
    if (!pcm) throw new Error(`no frame ${seq}`);
    transcriber.acceptFrame({ seq, pcm });
    await new Promise((resolve) => setImmediate(resolve));
  }
  await transcriber.finish();
  return { events, transcriber };
}

const finalsOf = (events: TranscriptEvent[]) => events.flatMap((e) => (e.type === 'final' ? [e] : []));
const inOrder = frames.map((_, i) => i);

describe.each(engines)('live transcription through real VAD and %s', (_name, make) => {
  it('turns the recorded answers into one final each, timed from the start of the recording', async () => {
    const { events, transcriber } = await run(make(), inOrder);
    const finals = finalsOf(events);
    expect(finals.map((f) => f.text)).toEqual(interview.answers.map((a) => a.transcript));
    for (const [i, final] of finals.entries()) {
      const answer = interview.answers[i];
      if (!answer) throw new Error('answer missing');
      expect(Math.abs(final.startMs - answer.speechStartMs)).toBeLessThan(100);
      expect(Math.abs(final.endMs - answer.speechEndMs)).toBeLessThan(100);
    }
    // Partials come before their final and only grow.
    const partials = events.filter((e) => e.type === 'partial');
    expect(partials.length).toBeGreaterThan(10);
    expect(events.findIndex((e) => e.type === 'partial')).toBeLessThan(events.findIndex((e) => e.type === 'final'));
    expect(transcriber.stats.utterances).toBe(5);
    expect(events.filter((e) => e.type === 'error' || e.type === 'gap')).toEqual([]);
  });
});

describe('phone frames arriving out of order', () => {
  it('ignores duplicates and slots resends after a drop back in order: the text is the same', async () => {
    // Frames 40..69 are lost in a network drop and resent after frame 90; every tenth frame arrives twice.
    const order = [...inOrder.filter((i) => i < 40 || i >= 70).flatMap((i) => (i === 90 ? [90, ...inOrder.slice(40, 70)] : [i]))];
    const withDuplicates = order.flatMap((i) => (i % 10 === 0 ? [i, i] : [i]));
    const speech = engines[0]?.[1]();
    if (!speech) throw new Error('no engine');
    const { events, transcriber } = await run(speech, withDuplicates);
    expect(finalsOf(events).map((f) => f.text)).toEqual(interview.answers.map((a) => a.transcript));
    expect(events.filter((e) => e.type === 'gap')).toEqual([{ type: 'gap', fromSeq: 40, toSeq: 69, action: 'waiting' }]);
    expect(transcriber.stats.framesDuplicate).toBe(withDuplicates.length - frames.length);
    expect(transcriber.stats.gapsFilled).toBe(0);
  });

  it('gives up on frames never resent, fills them with silence and keeps later times right', async () => {
    // The first answer loses frames 20..24 for good; the reorder window (50 frames) runs out and they become silence.
    const order = inOrder.filter((i) => i < 20 || i > 24);
    const speech = engines[0]?.[1]();
    if (!speech) throw new Error('no engine');
    const { events, transcriber } = await run(speech, order);
    expect(events.filter((e) => e.type === 'gap')).toEqual([
      { type: 'gap', fromSeq: 20, toSeq: 24, action: 'waiting' },
      { type: 'gap', fromSeq: 20, toSeq: 24, action: 'filled_with_silence' },
    ]);
    expect(transcriber.stats.gapsFilled).toBe(5);
    const finals = finalsOf(events);
    // The simulated vendor cannot follow audio with a hole in it past the hole, but later answers are intact and on time.
    const last = finals.at(-1);
    const answer = interview.answers.at(-1);
    expect(last?.text).toBe(answer?.transcript);
    expect(Math.abs((last?.startMs ?? 0) - (answer?.speechStartMs ?? 0))).toBeLessThan(100);
  });
});
