// Live-notes speech pipeline at real time: the fixture answers (tests/fixtures/audio-zh, joined with 1.5 s of silence)
// are fed as 100 ms phone frames on a timer, HB_BENCH_ASR_STREAMS interviews at once (default 4, half through the
// Tencent adapter, half through Alibaba's), through LiveTranscriber → silero VAD → adapter → the vendor simulators over
// real WebSockets, and back. Measured per answer:
//  - first-partial latency: from the moment the answer's first speech sample was fed to the first partial text;
//  - final latency: from the moment its last speech sample was fed to the settled text (includes the VAD's 0.5 s of
//    silence that ends an utterance);
// plus the VAD's real-time factor (alone, on one core), whole-process CPU per stream (pipeline and simulators share the
// process, so this overstates the server's share), an estimate of concurrent interviews on this machine's cores, and
// message rates. The local sherpa-onnx engine is measured only when HB_ASR_LOCAL_MODEL_DIR is set.
// The phone's WebSocket hop in front of this pipeline is measured by live-notes.ts.
import { cpus } from 'node:os';
import { performance } from 'node:perf_hooks';
import { AlibabaSpeechToText } from '../../server/src/adapters/asr/alibaba-nls';
import { LocalSpeechToText } from '../../server/src/adapters/asr/local-sherpa';
import { TencentSpeechToText } from '../../server/src/adapters/asr/tencent-asr';
import { sileroVoiceActivity } from '../../server/src/adapters/asr/vad';
import { LiveTranscriber, type TranscriptEvent } from '../../server/src/features/live-notes/transcriber';
import { systemClock } from '../../server/src/ports/clock';
import type { SpeechToText } from '../../server/src/ports/speech-to-text';
import { startAsrSimulator } from '../simulator/src/asr/asr-simulator';
import { loadKnownRecordings } from '../simulator/src/asr/known-audio';
import { composeRecording, framesOf } from '../simulator/src/asr/recordings';
import { distribution, envNumber, isMain, ms, table, type BenchSummary } from './support';

const frameMs = 100;

interface StreamResult {
  readonly engine: string;
  readonly firstPartialMs: number[];
  readonly finalMs: number[];
  readonly correct: number;
  readonly answers: number;
  readonly eventsOut: number;
  readonly framesIn: number;
  readonly vadMs: number;
}

async function interviewAtRealTime(engine: SpeechToText, recording: ReturnType<typeof composeRecording>): Promise<StreamResult> {
  const frames = framesOf(recording.pcm, frameMs);
  const fedAt: number[] = [];
  const arrivals: { event: TranscriptEvent; at: number }[] = [];
  const transcriber = new LiveTranscriber({
    interviewId: 'bench',
    speech: engine,
    voiceActivity: sileroVoiceActivity(),
    onEvent: (event) => arrivals.push({ event, at: performance.now() }),
  });
  const started = performance.now();
  for (const [seq, pcm] of frames.entries()) {
    // A phone delivers a frame when it has been recorded: never ahead of the clock.
    const due = started + (seq + 1) * frameMs;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    fedAt[seq] = performance.now();
    transcriber.acceptFrame({ seq, pcm });
  }
  await transcriber.finish();
  const fedTimeOf = (audioMs: number) => fedAt[Math.min(fedAt.length - 1, Math.floor(audioMs / frameMs))] ?? NaN;
  const firstPartialMs: number[] = [];
  const finalMs: number[] = [];
  let correct = 0;
  const finals = arrivals.filter((a) => a.event.type === 'final');
  for (const answer of recording.answers) {
    const final = finals.find((a) => a.event.type === 'final' && Math.abs(a.event.startMs - answer.speechStartMs) < 500);
    if (!final || final.event.type !== 'final') continue;
    if (final.event.text === answer.transcript) correct += 1;
    const segmentId = final.event.segmentId;
    const first = arrivals.find((a) => (a.event.type === 'partial' || a.event.type === 'final') && a.event.segmentId === segmentId);
    if (first) firstPartialMs.push(first.at - fedTimeOf(answer.speechStartMs));
    finalMs.push(final.at - fedTimeOf(answer.speechEndMs));
  }
  return { engine: engine.engine, firstPartialMs, finalMs, correct, answers: recording.answers.length, eventsOut: arrivals.length, framesIn: frames.length, vadMs: transcriber.stats.vadMs };
}

function vadRealTimeFactor(pcm: Buffer): number {
  const detector = sileroVoiceActivity().create();
  const samples = new Float32Array(pcm.length / 2);
  for (let i = 0; i < samples.length; i += 1) samples[i] = pcm.readInt16LE(i * 2) / 32_768;
  const started = performance.now();
  for (let i = 0; i < samples.length; i += 1600) detector.accept(samples.subarray(i, i + 1600));
  detector.flush();
  const elapsed = performance.now() - started;
  detector.close();
  return elapsed / ((samples.length / 16_000) * 1000);
}

async function localRealTimeFactor(modelDir: string, pcm: Buffer): Promise<string> {
  const engine = new LocalSpeechToText({ modelDir });
  const finals: string[] = [];
  const stream = await engine.open({ interviewId: 'bench', sampleRateHz: 16_000 }, (e) => {
    if (e.type === 'final') finals.push(e.text);
  });
  const started = performance.now();
  for (const frame of framesOf(pcm, frameMs)) stream.push(frame);
  await stream.finish();
  const rtf = (performance.now() - started) / ((pcm.length / 32_000) * 1000);
  return `local sherpa-onnx engine (${modelDir}): real-time factor ${rtf.toFixed(3)} on one thread; ${finals.length} final sentence(s)`;
}

export async function run(): Promise<BenchSummary> {
  const streams = envNumber('HB_BENCH_ASR_STREAMS', 4);
  const recordings = loadKnownRecordings();
  const recording = composeRecording(recordings.map((r) => r.id), 1500, recordings);
  const audioSeconds = recording.pcm.length / 32_000;
  console.log(`\n== Live notes speech pipeline: ${streams} interview(s) of ${audioSeconds.toFixed(1)} s at real time ==`);

  const sim = await startAsrSimulator(systemClock, '127.0.0.1');
  try {
    sim.tencent.addApp({ appId: '1300009999', secretId: 'AKIDbench', secretKey: 'bench-secret' });
    sim.alibaba.addAccount({ accessKeyId: 'LTAIbench', accessKeySecret: 'bench-ali-secret', appKeys: ['bench-appkey'] });
    sim.tencent.setTiming({ maxConcurrentStreams: streams + 5 });
    const tencent = new TencentSpeechToText({ appId: '1300009999', secretId: 'AKIDbench', secretKey: 'bench-secret', endpoint: sim.endpoints.tencent, clock: systemClock });
    const alibaba = new AlibabaSpeechToText({
      accessKeyId: 'LTAIbench',
      accessKeySecret: 'bench-ali-secret',
      appKey: 'bench-appkey',
      tokenEndpoint: sim.endpoints.alibabaToken,
      gatewayUrl: sim.endpoints.alibabaGateway,
      clock: systemClock,
    });
    const cpuBefore = process.cpuUsage();
    const wallStarted = performance.now();
    const results = await Promise.all(Array.from({ length: streams }, (_, i) => interviewAtRealTime(i % 2 === 0 ? tencent : alibaba, recording)));
    const wallMs = performance.now() - wallStarted;
    const cpu = process.cpuUsage(cpuBefore);
    const cpuMs = (cpu.user + cpu.system) / 1000;
    const vendorMessages = sim.tencent.streams.reduce((n, s) => n + s.sent.length, 0) + sim.alibaba.tasks.reduce((n, t) => n + t.sent.length, 0);

    const rows = ['tencent', 'alibaba'].flatMap((engine) => {
      const mine = results.filter((r) => r.engine === engine);
      if (mine.length === 0) return [];
      const first = distribution(mine.flatMap((r) => r.firstPartialMs));
      const final = distribution(mine.flatMap((r) => r.finalMs));
      const correct = mine.reduce((n, r) => n + r.correct, 0);
      const answers = mine.reduce((n, r) => n + r.answers, 0);
      return [[engine, String(mine.length), `${correct}/${answers}`, ms(first.p50), ms(distributionP95(mine.flatMap((r) => r.firstPartialMs))), ms(final.p50), ms(distributionP95(mine.flatMap((r) => r.finalMs)))]];
    });
    const latency = table(['engine (simulated)', 'streams', 'text right', 'first partial p50 ms', 'p95 ms', 'final p50 ms', 'p95 ms'], rows);

    const vadRtf = vadRealTimeFactor(recording.pcm);
    const vadInPipelineRtf = results.reduce((n, r) => n + r.vadMs, 0) / (streams * audioSeconds * 1000);
    const cpuPerStream = cpuMs / (streams * audioSeconds * 1000);
    const cores = cpus().length;
    const framesIn = results.reduce((n, r) => n + r.framesIn, 0);
    const eventsOut = results.reduce((n, r) => n + r.eventsOut, 0);
    const costs = table(
      ['measure', 'value'],
      [
        ['VAD real-time factor, alone (one core)', vadRtf.toFixed(4)],
        ['VAD real-time factor inside the pipeline', vadInPipelineRtf.toFixed(4)],
        ['process CPU per stream (pipeline + simulators)', `${(cpuPerStream * 100).toFixed(2)} % of a core`],
        [`interviews ${cores} cores sustain, VAD only`, `≈ ${Math.floor(cores / vadRtf)}`],
        [`interviews ${cores} cores sustain, whole process at 70 %`, `≈ ${Math.floor((cores * 0.7) / cpuPerStream)}`],
        ['phone frames in, per stream', `${(framesIn / streams / (wallMs / 1000)).toFixed(1)} /s`],
        ['transcript events out, per stream', `${(eventsOut / streams / (wallMs / 1000)).toFixed(1)} /s`],
        ['vendor messages (simulated), per stream', `${(vendorMessages / streams / (wallMs / 1000)).toFixed(1)} /s`],
      ],
    );
    const modelDir = process.env.HB_ASR_LOCAL_MODEL_DIR;
    const local = modelDir ? await localRealTimeFactor(modelDir, recording.pcm) : 'local sherpa-onnx engine: skipped (HB_ASR_LOCAL_MODEL_DIR is not set; no Chinese model on this machine)';
    const text = `${latency}\n\n${costs}\n\n${local}`;
    console.log(text);
    return { title: 'Live notes speech pipeline (VAD + simulated ASR vendors)', text };
  } finally {
    await sim.close();
  }
}

function distributionP95(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil(0.95 * sorted.length) - 1)] ?? NaN;
}

if (isMain(import.meta.url)) {
  run().then(
    () => process.exit(0),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}
