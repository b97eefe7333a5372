import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Simulator } from '@hirebridge/simulator';
import { sileroVoiceActivity } from '../../server/src/adapters/asr/vad';
import type { LiveNotesSocket } from '../../server/src/http/live-notes-socket';
import { fixedClock } from '../../server/src/ports/clock';
import type { VoiceActivityDetectorFactory } from '../../server/src/ports/voice-activity';
import { loadKnownRecordings } from '../simulator/src/asr/known-audio';
import { createTestApp } from '../support/app';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { competencyModelInput, createTenant, signIn, type TenantFixture } from '../support/fixtures';
import { attachLiveNotesWithSimulatedAsr } from './live-notes-server';
import { closeServer, listenOn } from './page-helpers';
import { buildWeapp, forwardRequests, jsonApi, noWxLogin, tap, weappApiUrl as apiUrl } from './weapp-helpers';
import { findSid, renderedText, WeappVm, type PageInstance } from './weapp-vm';

/**
 * Live notes on the compiled weapp bundle: the notes page records with the WeChat recorder manager (the stand-in's,
 * on a clock the test moves ten minutes ahead in moments, hearing fixture speech) and streams numbered PCM frames over
 * wx.connectSocket — a real WebSocket to the server's live-notes socket, with Tencent's real-time ASR played by the
 * simulator, which recognises a fixture only from its exact bytes. Proven: the recorder is restarted before its
 * 10-minute cap without losing a byte, a dropped connection is resumed from the server's nextSeq without a gap or a
 * duplicate, the transcripts are stored and shown, and without the candidate's consent the microphone is never used.
 */
const clock = fixedClock('2026-11-24T02:05:00Z'); // five minutes into a 10:00 Beijing interview
const tencentApp = { appId: '1300000077', secretId: 'AKIDweappnotes0001', secretKey: 'weapp-live-notes-secret-0001' };
const fixtures = new Map(loadKnownRecordings().map((r) => [r.id, r]));
const fixture = (id: string) => fixtures.get(id)!;

let db: TestDatabase;
let sim: Simulator;
let server: Server;
let live: LiveNotesSocket;
let baseUrl: string;
let t: TenantFixture;
let root: string;
let token: string;
let setup: { modelId: string; roundId: string; jobId: string };
/** The PCM each transcriber of the server processed, in order (what its voice-activity detector was fed). */
const processed: Buffer[][] = [];
/** Server ends of the live-notes sockets, to cut the network from the server's side. */
const upgraded: Duplex[] = [];

/** The real detector, recording the samples it is given (PCM16 / 32768 is exact in float32, so this is lossless). */
function capturing(inner: VoiceActivityDetectorFactory): VoiceActivityDetectorFactory {
  return {
    create() {
      const detector = inner.create();
      const pcm: Buffer[] = [];
      processed.push(pcm);
      return {
        sampleRateHz: detector.sampleRateHz,
        accept(samples) {
          const bytes = Buffer.alloc(samples.length * 2);
          for (let i = 0; i < samples.length; i += 1) bytes.writeInt16LE(Math.round(samples[i]! * 32_768), i * 2);
          pcm.push(bytes);
          return detector.accept(samples);
        },
        flush: () => detector.flush(),
        close: () => detector.close(),
      };
    },
  };
}

async function createInterview(candidateName: string, consent: boolean): Promise<string> {
  const post = jsonApi(baseUrl, `Bearer ${await signIn(db.db, t, t.employees.admin.id, 86_400_000)}`);
  const candidate = await post('/api/candidates', { name: candidateName, phone: `139${String(Date.now()).slice(-8)}`, resumeText: '' });
  const application = await post('/api/applications', { candidateId: candidate.id, jobId: setup.jobId });
  if (consent) {
    await db.db.insertInto('consents').values((['transcription', 'interview_recording'] as const).map((purpose) => ({
      tenant_id: t.tenantId, candidate_id: candidate.id, purpose, notice_version: '2026-11', channel: 'miniapp', given_at: new Date('2026-11-23T00:00:00Z'),
    }))).execute();
  }
  const id = (await db.db.insertInto('interviews').values({
    tenant_id: t.tenantId, application_id: application.id, round_id: setup.roundId, competency_model_id: setup.modelId, status: 'confirmed',
    starts_at: new Date('2026-11-24T02:00:00Z'), ends_at: new Date('2026-11-24T03:00:00Z'), location: '星河大厦 12 层', schedule_version: 1,
  }).returning('id').executeTakeFirstOrThrow()).id;
  await db.db.insertInto('interview_panelists').values({ tenant_id: t.tenantId, interview_id: id, employee_id: t.employees.interviewer.id, role: 'lead', focus_competency_ids: [] }).execute();
  return id;
}

/** The interviewer's phone: the weapp bundle, signed in (the session the sign-in page stores), talking to the server. */
function phone(options: { recordPermission?: () => boolean } = {}): WeappVm {
  const weapp = new WeappVm(root, {
    appId: 'wx5eb0a7bd0c1e2f30',
    login: noWxLogin,
    request: forwardRequests(apiUrl, baseUrl),
    socketUrl: (url) => {
      expect(url.startsWith(apiUrl.replace('https', 'wss'))).toBe(true);
      return baseUrl.replace('http', 'ws') + url.slice(apiUrl.replace('https', 'wss').length);
    },
    ...options,
  });
  weapp.storage.set('hb.employee.session', token);
  weapp.launch();
  return weapp;
}

async function waitFor(what: string, predicate: () => boolean, timeoutMs = 20_000): Promise<void> {
  const started = Date.now();
  while (!predicate()) {
    if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const until = async (page: PageInstance, text: string, timeoutMs = 20_000) => {
  await waitFor(`"${text}" on the page (it shows: ${renderedText(page.data).slice(0, 300)})`, () => renderedText(page.data).includes(text), timeoutMs);
  return renderedText(page.data);
};

/** A new interview with `candidateName`, the phone signed in, and its notes page open once it offers to record. */
async function openNotes(candidateName: string, consent: boolean, options: { recordPermission?: () => boolean } = {}) {
  const interviewId = await createInterview(candidateName, consent);
  const weapp = phone(options);
  const page = weapp.open('pages/interviewer/notes/index', { id: interviewId });
  return { interviewId, weapp, page };
}

/** The interviewer taps 开始录音: the page says it records, and the recorder has started once. */
async function startRecording(weapp: WeappVm, page: PageInstance): Promise<void> {
  await until(page, '开始录音');
  tap(page, 'start-recording');
  await until(page, '录音中');
  await waitFor('the recorder to start', () => weapp.recorder.runs.length === 1);
}

const streamClosed = (weapp: WeappVm) => waitFor('closed', () => messagesOf(weapp).at(-1)?.type === 'closed');

/** What the phone sent is exactly what was recorded: frames 0…n-1 in order, byte for byte. */
function expectSentAsRecorded(weapp: WeappVm, recorded: { bytes: Buffer }[]): void {
  const sent = framesSent(weapp);
  expect(sent.map((f) => f.seq)).toEqual(recorded.map((_, i) => i));
  expect(Buffer.concat(sent.map((f) => f.pcm)).equals(Buffer.concat(recorded.map((f) => f.bytes)))).toBe(true);
}

type Message = { type: string; [key: string]: unknown };
const messagesOf = (weapp: WeappVm): Message[] => weapp.sockets.flatMap((s) => s.received.filter((m): m is string => typeof m === 'string').map((m) => JSON.parse(m) as Message));
const framesSent = (weapp: WeappVm) => weapp.sockets.flatMap((s) => s.sent.filter((m): m is Buffer => Buffer.isBuffer(m)).map((m) => ({ seq: m.readUInt32BE(0), pcm: m.subarray(4) })));

/**
 * Lets `ms` of recording pass on the phone's clock, in steps; after each step waits until the server has acknowledged
 * what was sent (the real phone takes those seconds; the network keeps up), so nothing piles up unrealistically.
 */
async function record(weapp: WeappVm, ms: number, stepMs = 5000): Promise<void> {
  for (let done = 0; done < ms; done += stepMs) {
    await weapp.clock.advance(Math.min(stepMs, ms - done), 500);
    const lastSent = Math.max(-1, ...framesSent(weapp).map((f) => f.seq));
    await waitFor(`the server to acknowledge frame ${lastSent}`, () => {
      const acks = messagesOf(weapp).filter((m) => m.type === 'ack').map((m) => m.seq as number);
      return lastSent - Math.max(-1, ...acks) < 5;
    });
  }
}

describe('weapp live notes in a Node vm', () => {
  beforeAll(async () => {
    root = buildWeapp();
    db = await createTestDatabase();
    t = await createTenant(db.db);
    const features = db.features(clock);
    server = createServer(createTestApp(db, { features }).app.callback());
    ({ sim, live } = await attachLiveNotesWithSimulatedAsr(server, features, tencentApp, capturing(sileroVoiceActivity())));
    server.on('upgrade', (_request: IncomingMessage, socket: Duplex) => upgraded.push(socket));
    baseUrl = await listenOn(server);
    token = await signIn(db.db, t, t.employees.interviewer.id, 86_400_000);

    const send = jsonApi(baseUrl, `Bearer ${await signIn(db.db, t, t.employees.admin.id, 86_400_000)}`);
    const job = await send('/api/jobs', { title: '后端工程师', departmentId: t.departmentId, rounds: [{ name: '技术面', durationMinutes: 60 }] });
    await send(`/api/jobs/${job.id}/competency-model`, competencyModelInput([50, 50]), 'PUT');
    await send(`/api/jobs/${job.id}/status`, { status: 'open' });
    const model = await db.db.selectFrom('competency_models').select('id').where('job_id', '=', job.id).executeTakeFirstOrThrow();
    const round = await db.db.selectFrom('interview_rounds').select('id').where('job_id', '=', job.id).executeTakeFirstOrThrow();
    setup = { modelId: model.id, roundId: round.id, jobId: job.id };
  }, 240_000);

  afterAll(async () => {
    await live?.close();
    await closeServer(server);
    await sim?.stop();
    await db?.drop();
  });

  it('the stand-in recorder keeps WeChat’s rules: one manager, at most 10 minutes, then it stops by itself', async () => {
    const weapp = new WeappVm(root, { appId: 'wx5eb0a7bd0c1e2f30', login: () => '', request: async () => ({ statusCode: 404, data: {} }) });
    type Manager = Record<string, (arg?: unknown) => void>;
    const getRecorderManager = weapp.wx.getRecorderManager as () => Manager;
    const manager = getRecorderManager();
    expect(getRecorderManager()).toBe(manager);
    const errors: string[] = [];
    const frames: { bytes: number; isLastFrame: boolean }[] = [];
    let started = 0;
    let stopped: { tempFilePath: string; duration: number } | undefined;
    manager.onStart!(() => (started += 1));
    manager.onError!((e: unknown) => errors.push((e as { errMsg: string }).errMsg));
    manager.onFrameRecorded!((r: unknown) => {
      const { frameBuffer, isLastFrame } = r as { frameBuffer: ArrayBuffer; isLastFrame: boolean };
      frames.push({ bytes: frameBuffer.byteLength, isLastFrame });
    });
    manager.onStop!((r: unknown) => (stopped = r as typeof stopped));
    const pcm16k = { sampleRate: 16000, numberOfChannels: 1, encodeBitRate: 48000, format: 'PCM', frameSize: 4 };
    manager.start!({ ...pcm16k, duration: 600_001 });
    manager.start!({ ...pcm16k, duration: 60_000, encodeBitRate: 128_000 });
    await weapp.clock.advance(10);
    expect(errors).toEqual([expect.stringContaining('600000'), expect.stringContaining('encodeBitRate')]);
    expect(started).toBe(0);

    manager.start!({ ...pcm16k, duration: 600_000 });
    manager.start!({ ...pcm16k, duration: 600_000 });
    await weapp.clock.advance(11 * 60_000, 60_000);
    expect(started).toBe(1);
    expect(errors[2]).toMatch(/is recording/);
    // It stopped by itself at exactly 10 minutes of audio, in 4 KB frames, the rest flagged as the last frame.
    expect(stopped).toMatchObject({ duration: 600_000, tempFilePath: expect.stringMatching(/^wxfile:\/\//) });
    expect(weapp.recorder.runs[0]!.stoppedBy).toBe('duration');
    expect(frames.reduce((sum, f) => sum + f.bytes, 0)).toBe(600 * 16_000 * 2);
    expect(frames.slice(0, -1).every((f) => f.bytes === 4096 && !f.isLastFrame)).toBe(true);
    expect(frames.at(-1)).toEqual({ bytes: (600 * 16_000 * 2) % 4096, isLastFrame: true });
    manager.stop!();
    await weapp.clock.advance(10);
    expect(errors[3]).toMatch(/is stop/);
  });

  it('records past the 10-minute cap and through a network drop without losing or repeating a byte', async () => {
    const { interviewId, weapp, page } = await openNotes('林晓雨', true);
    await startRecording(weapp, page);
    const start = weapp.recorder.runs[0]!.startedAtMs;
    expect(weapp.calls.find((c) => c.api === 'RecorderManager.start')?.args).toMatchObject({ format: 'PCM', sampleRate: 16000, numberOfChannels: 1, frameSize: 4 });
    expect((weapp.calls.find((c) => c.api === 'RecorderManager.start')?.args as { duration: number }).duration).toBeLessThanOrEqual(600_000);

    // What the room hears: an answer early on, one across the 9.5-minute mark (the code's restart point), one across
    // the network drop at ~596 s. Silence in between.
    const early = fixture('situation-task');
    const acrossRestart = fixture('star-quantified');
    const acrossDrop = fixture('closing');
    weapp.microphone.play(early.pcm, start + 2000);
    weapp.microphone.play(acrossRestart.pcm, start + 570_000 - 6000);
    weapp.microphone.play(acrossDrop.pcm, start + 592_000);

    await record(weapp, 30_000);
    // The first answer's transcript reaches the page (the final is stored, the page reloads its notes).
    await until(page, early.transcript);
    await record(weapp, 596_000 - (weapp.clock.now() - start));
    expect(weapp.recorder.runs).toHaveLength(2);

    // The network drops mid-answer (the server's end of the TCP connection goes away, no close frame).
    expect(upgraded).toHaveLength(1);
    upgraded[0]!.destroy();
    await waitFor('the phone to notice the drop', () => weapp.sockets[0]!.closed !== undefined);
    await weapp.clock.advance(3000, 500); // recording goes on into the phone's buffer; the retry timer (1 s) fires
    await until(page, '录音中');
    await waitFor('the second ready', () => messagesOf(weapp).filter((m) => m.type === 'ready').length === 2);
    await record(weapp, 612_000 - (weapp.clock.now() - start));
    await until(page, acrossDrop.transcript, 30_000);

    await weapp.clock.advance(77); // the interviewer taps stop at any moment, not on a frame boundary
    tap(page, 'stop-recording');
    await until(page, '已停止');
    await streamClosed(weapp);

    // The recorder: restarted by the code at 9.5 minutes, from its stop event, at the same instant — the room's audio
    // was captured without a hole, and the stopped recording's frames (last one flagged) all came before its onStop.
    const [first, second] = weapp.recorder.runs;
    expect(first!.stoppedBy).toBe('stop');
    expect(first!.stoppedAtMs! - start).toBe(570_000);
    expect(second!.startedAtMs).toBe(first!.stoppedAtMs);
    expect(first!.captured).toHaveLength(1);
    expect(second!.captured).toHaveLength(1);
    expect(second!.captured[0]![0]).toBe(first!.captured[0]![1]);
    expect(first!.frames.at(-1)!.isLastFrame).toBe(true);
    expect(second!.frames.at(-1)!.isLastFrame).toBe(true);
    // Both recordings ended between frame boundaries: each last frame carries audio (512 bytes at the 570 s restart).
    expect(first!.frames.at(-1)!.bytes.length).toBe(512);
    expect(second!.frames.at(-1)!.bytes.length).toBeGreaterThan(0);
    expect(first!.frames.slice(0, -1).every((f) => f.bytes.length === 4096 && !f.isLastFrame)).toBe(true);
    expect(weapp.recorder.errors).toEqual([]);
    const recorded = [...first!.frames, ...second!.frames].filter((f) => f.bytes.length > 0);
    const fed = Buffer.concat(recorded.map((f) => f.bytes));
    expect(fed.equals(weapp.microphone.read(first!.captured[0]![0], second!.captured[0]![1]))).toBe(true);
    // The fixtures are in it byte for byte where they were played (the restart and the drop fall inside them).
    const at = (ms: number) => Math.round(((ms - start) * 16_000) / 1000) * 2;
    expect(fed.subarray(at(start + 570_000 - 6000), at(start + 570_000 - 6000) + acrossRestart.pcm.length).equals(acrossRestart.pcm)).toBe(true);
    expect(fed.subarray(at(start + 592_000), at(start + 592_000) + acrossDrop.pcm.length).equals(acrossDrop.pcm)).toBe(true);

    // The wire: hello, ready from 0, frames 0…n-1 in order, one per recorded frame; after the drop a hello resuming
    // where the phone's unacknowledged audio starts, the server's nextSeq, and from exactly there on again.
    const [socket1, socket2] = weapp.sockets;
    expect(weapp.sockets).toHaveLength(2);
    expect(socket1!.url).toBe(`wss://hire.example.com/api/interviews/${interviewId}/live-notes`);
    const hellos = weapp.sockets.map((s) => JSON.parse(s.sent[0] as string) as Record<string, unknown>);
    expect(hellos[0]).toEqual({ type: 'hello', token, sampleRate: 16000 });
    expect(hellos[1]).toEqual({ type: 'hello', token, sampleRate: 16000, resumeFromSeq: expect.any(Number) });
    const readies = messagesOf(weapp).filter((m) => m.type === 'ready');
    expect(readies[0]).toEqual({ type: 'ready', nextSeq: 0 });
    const seqs1 = socket1!.sent.filter((m): m is Buffer => Buffer.isBuffer(m)).map((m) => m.readUInt32BE(0));
    const seqs2 = socket2!.sent.filter((m): m is Buffer => Buffer.isBuffer(m)).map((m) => m.readUInt32BE(0));
    expect(seqs1).toEqual(seqs1.map((_, i) => i));
    const nextSeq = readies[1]!.nextSeq as number;
    expect(hellos[1]!.resumeFromSeq).toBeLessThanOrEqual(nextSeq);
    expect(nextSeq).toBeLessThanOrEqual(seqs1.length);
    expect(seqs2).toEqual(seqs2.map((_, i) => nextSeq + i));
    expect(seqs2.at(-1)).toBe(recorded.length - 1);
    const frames = new Map(framesSent(weapp).map((f) => [f.seq, f.pcm]));
    expect(frames.size).toBe(recorded.length);
    for (const [i, f] of recorded.entries()) expect(frames.get(i)!.equals(f.bytes)).toBe(true);
    expect(JSON.parse(socket2!.sent.at(-1) as string)).toEqual({ type: 'end' });
    expect(messagesOf(weapp).filter((m) => m.type === 'gap')).toEqual([]);
    expect(messagesOf(weapp).filter((m) => m.type === 'ack').at(-1)).toEqual({ type: 'ack', seq: recorded.length - 1 });

    // The server processed exactly the recorded audio, once, in order (duplicates of the resend dropped).
    expect(processed).toHaveLength(1);
    expect(Buffer.concat(processed[0]!).equals(fed)).toBe(true);
    // The simulated engine recognised every fixture from its exact bytes; each transcript stored once and shown.
    const stored = await db.db.selectFrom('transcript_segments').select(['text', 'source']).where('interview_id', '=', interviewId).orderBy('started_ms').execute();
    expect(stored).toEqual([early, acrossRestart, acrossDrop].map((f) => ({ text: f.transcript, source: 'asr' })));
    const shown = renderedText(page.data);
    for (const f of [early, acrossRestart, acrossDrop]) expect(shown).toContain(f.transcript);
    expect(live.sessions.size).toBe(0);
  }, 240_000);

  it('stopped while the network is down: the audio of the outage is still delivered before the recording ends', async () => {
    const { interviewId, weapp, page } = await openNotes('陈思远', true);
    await startRecording(weapp, page);
    const answer = fixture('action-detail');
    weapp.microphone.play(answer.pcm, weapp.recorder.runs[0]!.startedAtMs + 1000);
    await record(weapp, 8000);
    const before = upgraded.length;
    upgraded.at(-1)!.destroy();
    await waitFor('the phone to notice the drop', () => weapp.sockets[0]!.closed !== undefined);
    await weapp.clock.advance(600, 100); // the answer goes on while the phone is offline (the retry is due at 1 s)
    expect(weapp.sockets).toHaveLength(1);
    tap(page, 'stop-recording');
    await waitFor('the recorder to stop', () => weapp.recorder.runs[0]!.frames.at(-1)?.isLastFrame === true);
    await new Promise((r) => setTimeout(r, 50));
    // Not "stopped" yet: the audio of the outage is still on the phone, waiting for the reconnect.
    expect(renderedText(page.data)).toContain('正在重连');
    await streamClosed(weapp);
    await until(page, '已停止');
    expect(upgraded.length).toBe(before + 1);

    const recorded = weapp.recorder.runs[0]!.frames.filter((f) => f.bytes.length > 0);
    const frames = new Map(framesSent(weapp).map((f) => [f.seq, f.pcm]));
    expect([...frames.keys()].sort((a, b) => a - b)).toEqual(recorded.map((_, i) => i));
    for (const [i, f] of recorded.entries()) expect(frames.get(i)!.equals(f.bytes)).toBe(true);
    expect(JSON.parse(weapp.sockets[1]!.sent.at(-1) as string)).toEqual({ type: 'end' });
    // The answer was cut by the stop: the simulated engine still recognised it from its exact bytes and settled the
    // sentence (as much as was heard) at the end of the stream.
    const stored = await db.db.selectFrom('transcript_segments').select('text').where('interview_id', '=', interviewId).execute();
    expect(stored).toHaveLength(1);
    expect(stored[0]!.text.length).toBeGreaterThan(10);
    expect(answer.transcript.startsWith(stored[0]!.text)).toBe(true);
    expect(Buffer.concat(processed.at(-1)!).equals(Buffer.concat(recorded.map((f) => f.bytes)))).toBe(true);
  }, 120_000);

  it('a phone call pauses the recording; afterwards it resumes and the frames go on in sequence', async () => {
    const { weapp, page } = await openNotes('赵一鸣', true);
    await startRecording(weapp, page);
    await record(weapp, 3000);
    weapp.recorder.interrupt();
    await until(page, '录音被来电或其他应用打断');
    await weapp.clock.advance(2000); // the call: WeChat records nothing meanwhile
    weapp.recorder.endInterruption();
    await record(weapp, 3000);
    // Once it resumes, the notice about the call goes away.
    expect(renderedText(page.data)).not.toContain('录音被来电或其他应用打断');
    await weapp.clock.advance(50);
    tap(page, 'stop-recording');
    await streamClosed(weapp);

    const [run] = weapp.recorder.runs;
    expect(weapp.recorder.runs).toHaveLength(1);
    expect(run!.captured).toHaveLength(2);
    expect(run!.captured[1]![0] - run!.captured[0]![1]).toBeGreaterThanOrEqual(2000 * 16);
    expectSentAsRecorded(weapp, run!.frames.filter((f) => f.bytes.length > 0));
    expect(messagesOf(weapp).filter((m) => m.type === 'gap')).toEqual([]);
  }, 60_000);

  it('when the recording dies mid-interview it says so, delivers what was recorded and finishes the stream', async () => {
    const { weapp, page } = await openNotes('周子涵', true);
    await startRecording(weapp, page);
    await record(weapp, 3000);
    weapp.recorder.breakDown();
    await until(page, 'audio interrupted');
    await streamClosed(weapp);
    await until(page, '开始录音');
    expect(renderedText(page.data)).not.toContain('录音中');
    expect(framesSent(weapp).length).toBeGreaterThan(0);
    expectSentAsRecorded(weapp, weapp.recorder.runs[0]!.frames.filter((f) => f.bytes.length > 0));
  }, 60_000);

  it('shows why when the microphone is refused, and does not claim to record', async () => {
    const { weapp, page } = await openNotes('王可欣', true, { recordPermission: () => false });
    await until(page, '开始录音');
    tap(page, 'start-recording');
    const shown = await until(page, 'operateRecorder:fail auth deny');
    expect(shown).toContain('无法录音');
    await waitFor('the socket to close', () => weapp.sockets.every((s) => s.closed !== undefined));
    expect(renderedText(page.data)).toContain('开始录音');
    expect(renderedText(page.data)).not.toContain('录音中');
    expect(weapp.sockets.flatMap((s) => s.sent.filter((m) => Buffer.isBuffer(m)))).toEqual([]);
  }, 60_000);

  it('without the candidate’s consent offers typed notes only and never touches the microphone', async () => {
    const { weapp, page } = await openNotes('周子航', false);
    const shown = await until(page, '仅文字笔记');
    expect(shown).not.toContain('开始录音');
    expect(findSid(page.data, 'start-recording')).toBeUndefined();
    expect(findSid(page.data, 'save-note')).toBeDefined();
    expect(weapp.calls.filter((c) => ['getRecorderManager', 'RecorderManager.start', 'connectSocket'].includes(c.api))).toEqual([]);
    expect(weapp.recorder.runs).toEqual([]);
  }, 60_000);
});
