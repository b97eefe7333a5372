import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import supertest from 'supertest';
import { WebSocket } from 'ws';
import { startSimulator, type Simulator } from '@hirebridge/simulator';
import { TencentSpeechToText } from '../../server/src/adapters/asr/tencent-asr';
import { sileroVoiceActivity } from '../../server/src/adapters/asr/vad';
import { createApp } from '../../server/src/http/create-app';
import { attachLiveNotesSocket, type LiveNotesSocket } from '../../server/src/http/live-notes-socket';
import { createLogger } from '../../server/src/observability/logger';
import { fixedClock, systemClock } from '../../server/src/ports/clock';
import { composeRecording, framesOf } from '../simulator/src/asr/recordings';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { competencyModelInput, createTenant, signIn, type TenantFixture } from '../support/fixtures';

/**
 * The phone's live-notes WebSocket end to end on real PostgreSQL: fixture audio streamed as the mini-app does
 * (hello with the session token, numbered PCM frames, end) → the server's VAD → Tencent real-time ASR (the simulator,
 * speaking its wire protocol) → partials, stored finals and prompts back on the socket; a dropped connection resumed
 * from `nextSeq` without losing or duplicating audio; refusals before anything is written.
 */
const clock = fixedClock('2026-11-24T02:05:00Z'); // five minutes into a 10:00 Beijing interview
const tencentApp = { appId: '1300000061', secretId: 'AKIDlivenotes0001', secretKey: 'live-notes-secret-0001' };

let db: TestDatabase;
let t: TenantFixture;
let sim: Simulator;
let server: Server;
let live: LiveNotesSocket;
let baseUrl: string;
const logs: string[] = [];
let http: ReturnType<typeof supertest>;
const tok: Record<string, string> = {};
let jobSetup: { modelId: string; roundId: string; applicationId: string; candidateId: string; questionIds: string[] };

/** A new interview of the application; the previous one is cancelled first (one live interview per round). */
async function createInterview(options: { startsAt?: string; status?: 'confirmed' | 'cancelled' } = {}) {
  await db.db.updateTable('interviews').set({ status: 'cancelled' }).where('application_id', '=', jobSetup.applicationId).execute();
  const interview = await db.db.insertInto('interviews').values({
    tenant_id: t.tenantId, application_id: jobSetup.applicationId, round_id: jobSetup.roundId, competency_model_id: jobSetup.modelId,
    status: options.status ?? 'confirmed', starts_at: new Date(options.startsAt ?? '2026-11-24T02:00:00Z'), ends_at: new Date('2026-11-24T03:00:00Z'),
    location: '星河大厦 12 层', schedule_version: 1,
  }).returning('id').executeTakeFirstOrThrow();
  await db.db.insertInto('interview_panelists').values({ tenant_id: t.tenantId, interview_id: interview.id, employee_id: t.employees.interviewer.id, role: 'lead', focus_competency_ids: [] }).execute();
  return interview.id;
}

async function consentTo(purposes: ('transcription' | 'interview_recording')[]) {
  for (const purpose of purposes) {
    await db.db.insertInto('consents').values({ tenant_id: t.tenantId, candidate_id: jobSetup.candidateId, purpose, notice_version: '2026-11', channel: 'miniapp', given_at: new Date('2026-11-23T00:00:00Z') }).execute();
  }
}

const segmentsOf = (interviewId: string) =>
  db.db.selectFrom('transcript_segments').select(['id', 'text', 'started_ms', 'ended_ms', 'source']).where('interview_id', '=', interviewId).orderBy('started_ms').execute();

type Message = { type: string; [key: string]: unknown };

/** The phone: a real WebSocket speaking the live-notes protocol, recording every message it receives. */
class Phone {
  readonly messages: Message[] = [];
  readonly ws: WebSocket;
  closeCode: number | undefined;
  readonly opened: Promise<void>;
  readonly closed: Promise<number>;
  private listeners: (() => void)[] = [];

  constructor(interviewId: string) {
    this.ws = new WebSocket(`${baseUrl.replace('http', 'ws')}/api/interviews/${interviewId}/live-notes`);
    this.opened = new Promise((resolve, reject) => {
      this.ws.once('open', () => resolve());
      this.ws.once('error', reject);
    });
    this.closed = new Promise((resolve) => this.ws.once('close', (code) => {
      this.closeCode = code;
      resolve(code);
      for (const l of this.listeners) l();
    }));
    this.ws.on('message', (data, isBinary) => {
      if (isBinary) throw new Error('the server sent a binary frame');
      this.messages.push(JSON.parse(String(data)) as Message);
      for (const l of this.listeners) l();
    });
  }

  hello(token: string, resumeFromSeq?: number) {
    this.ws.send(JSON.stringify({ type: 'hello', token, sampleRate: 16000, ...(resumeFromSeq !== undefined && { resumeFromSeq }) }));
  }

  frame(seq: number, pcm: Buffer) {
    const header = Buffer.alloc(4);
    header.writeUInt32BE(seq);
    this.ws.send(Buffer.concat([header, pcm]), { binary: true });
  }

  of(type: string) {
    return this.messages.filter((m) => m.type === type);
  }

  waitFor(predicate: () => boolean, timeoutMs = 20_000): Promise<void> {
    return new Promise((resolve, reject) => {
      const check = () => {
        if (predicate()) {
          clearTimeout(timer);
          this.listeners = this.listeners.filter((l) => l !== check);
          resolve();
        }
      };
      const timer = setTimeout(() => reject(new Error(`timed out; got ${JSON.stringify(this.messages.map((m) => m.type))}, close ${this.closeCode}`)), timeoutMs);
      this.listeners.push(check);
      check();
    });
  }

  async ready(token: string, resumeFromSeq?: number): Promise<number> {
    await this.opened;
    this.hello(token, resumeFromSeq);
    await this.waitFor(() => this.of('ready').length > 0 || this.closeCode !== undefined);
    const ready = this.of('ready')[0];
    if (!ready) throw new Error(`refused: ${JSON.stringify(this.messages)} ${this.closeCode}`);
    return ready.nextSeq as number;
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Sends frames `from`..`to - 1` at `speed`× real time (100 ms frames). */
async function stream(phone: Phone, frames: Buffer[], from: number, to: number, speed: number) {
  const started = performance.now();
  for (let seq = from; seq < to; seq += 1) {
    phone.frame(seq, frames[seq]!);
    const due = ((seq - from + 1) * 100) / speed - (performance.now() - started);
    if (due > 0) await sleep(due);
  }
}

beforeAll(async () => {
  db = await createTestDatabase();
  t = await createTenant(db.db);
  tok.lead = await signIn(db.db, t, t.employees.interviewer.id, 86_400_000);
  tok.outsider = await signIn(db.db, t, t.employees.hr.id, 86_400_000);
  const features = db.features(clock);
  const log = createLogger({ level: 'trace', destination: new Writable({ write(chunk: Buffer, _e, done) { logs.push(chunk.toString('utf8')); done(); } }) });
  const app = createApp({ features, log, secretsEnv: {}, devLogin: false, http: { bodyLimitBytes: 256 * 1024, trustProxy: false },
    readiness: { check: async () => ({ database: 'up', migrations: 'applied', draining: false }) } });
  sim = await startSimulator();
  sim.asr.tencent.addApp(tencentApp);
  const speech = new TencentSpeechToText({ ...tencentApp, endpoint: sim.asr.endpoints.tencent, clock: systemClock });
  server = createServer(app.callback());
  live = attachLiveNotesSocket(server, { features, speech: () => speech, voiceActivity: sileroVoiceActivity(), log, idleTimeoutMs: 3000 });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  // A job with a published competency model, and the candidate's application, as HR sets them up over the API.
  tok.admin = await signIn(db.db, t, t.employees.admin.id, 86_400_000);
  tok.hr = await signIn(db.db, t, t.employees.hr.id, 86_400_000);
  http = supertest(app.callback());
  const as = (who: string) => ({ authorization: `Bearer ${tok[who]}` });
  const job = await http.post('/api/jobs').set(as('admin')).send({ title: '后端工程师', departmentId: t.departmentId, rounds: [{ name: '技术面', durationMinutes: 60 }] }).expect(201);
  await http.put(`/api/jobs/${job.body.id}/competency-model`).set(as('admin')).send(competencyModelInput()).expect((r) => expect(r.status).toBeLessThan(300));
  await http.post(`/api/jobs/${job.body.id}/status`).set(as('admin')).send({ status: 'open' }).expect(200);
  const candidate = await http.post('/api/candidates').set(as('hr')).send({ name: '林晓雨', phone: '13912345678', resumeText: '订单系统重构' }).expect(201);
  const application = await http.post('/api/applications').set(as('hr')).send({ candidateId: candidate.body.id, jobId: job.body.id }).expect(201);
  await db.db.updateTable('applications').set({ stage: 'interviewing' }).where('id', '=', application.body.id).execute();
  const model = await db.db.selectFrom('competency_models').select('id').where('job_id', '=', job.body.id).executeTakeFirstOrThrow();
  const round = await db.db.selectFrom('interview_rounds').select('id').where('job_id', '=', job.body.id).executeTakeFirstOrThrow();
  const questions = await db.db.selectFrom('questions').innerJoin('competencies', 'competencies.id', 'questions.competency_id').select('questions.id').where('competencies.model_id', '=', model.id).orderBy('competencies.position').execute();
  jobSetup = { modelId: model.id, roundId: round.id, applicationId: application.body.id, candidateId: candidate.body.id, questionIds: questions.map((q) => q.id) };
  await consentTo(['transcription', 'interview_recording']);
}, 60_000);

afterAll(async () => {
  await live?.close();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  await sim?.stop();
  await db?.drop();
});

const truthWithin = 150;

describe('streaming from the phone', () => {
  it('turns an answer streamed at real time into partials, a stored final and prompts, acknowledging frames', async () => {
    const interviewId = await createInterview();
    await http.post(`/api/interviews/${interviewId}/question-marks`).set({ authorization: `Bearer ${tok.lead}` }).send({ questionId: jobSetup.questionIds[0], atMs: 0 }).expect(201);
    const recording = composeRecording(['situation-task']);
    const frames = framesOf(recording.pcm, 100);
    const phone = new Phone(interviewId);
    expect(await phone.ready(tok.lead!)).toBe(0);
    await stream(phone, frames, 0, frames.length, 1);
    phone.ws.send(JSON.stringify({ type: 'end' }));
    await phone.waitFor(() => phone.of('closed').length === 1);
    expect(await phone.closed).toBe(1000);

    const types = phone.messages.map((m) => m.type);
    expect(types.indexOf('partial')).toBeGreaterThan(-1);
    expect(types.indexOf('partial')).toBeLessThan(types.indexOf('final'));
    expect(types.indexOf('final')).toBeLessThan(types.indexOf('prompt'));
    const [final] = phone.of('final');
    const answer = recording.answers[0]!;
    expect(final).toMatchObject({ text: answer.transcript });
    expect(Math.abs((final!.startMs as number) - answer.speechStartMs)).toBeLessThan(truthWithin);
    expect(Math.abs((final!.endMs as number) - answer.speechEndMs)).toBeLessThan(truthWithin);
    // Stored in the same step, with the recording's timestamps, as recognised speech.
    const stored = await segmentsOf(interviewId);
    expect(stored).toEqual([{ id: final!.segmentId, text: answer.transcript, started_ms: final!.startMs, ended_ms: final!.endMs, source: 'asr' }]);
    // The rule-based prompts for this answer: situation and task only, so what was done and how it turned out are missing.
    const [prompt] = phone.of('prompt');
    expect(prompt).toMatchObject({ segmentId: final!.segmentId, questionId: jobSetup.questionIds[0] });
    expect(prompt!.missing).toEqual(['action', 'result']);
    expect(String(prompt!.probe)).toContain('结果');
    // Acknowledged at least every 10 frames, the last one included.
    const acks = phone.of('ack').map((m) => m.seq as number);
    expect(acks.length).toBeGreaterThanOrEqual(Math.floor(frames.length / 10));
    expect(acks.at(-1)).toBe(frames.length - 1);
    for (let i = 1; i < acks.length; i += 1) expect(acks[i]! - acks[i - 1]!).toBeLessThanOrEqual(10);
    expect(live.sessions.size).toBe(0);
  }, 60_000);

  it('resumes a dropped connection from nextSeq without losing or duplicating audio', async () => {
    const interviewId = await createInterview();
    const recording = composeRecording(['star-quantified', 'situation-task', 'closing'], 1500);
    const frames = framesOf(recording.pcm, 100);
    const dropAt = Math.round(frames.length * 0.45);
    const first = new Phone(interviewId);
    expect(await first.ready(tok.lead!)).toBe(0);
    await stream(first, frames, 0, dropAt, 4);
    // The network goes away without a close handshake; the phone keeps recording into its buffer meanwhile.
    first.ws.terminate();
    await first.closed;
    await sleep(300);
    const lastAck = Math.max(...first.of('ack').map((m) => m.seq as number));

    const second = new Phone(interviewId);
    const nextSeq = await second.ready(tok.lead!, lastAck + 1);
    expect(nextSeq).toBeGreaterThan(lastAck);
    expect(nextSeq).toBeLessThanOrEqual(dropAt);
    // The phone resends from its last acknowledged frame: what the server already had is dropped as a duplicate.
    await stream(second, frames, lastAck + 1, frames.length, 4);
    second.ws.send(JSON.stringify({ type: 'end' }));
    await second.waitFor(() => second.of('closed').length === 1);

    const stored = await segmentsOf(interviewId);
    expect(stored.map((s) => s.text)).toEqual(recording.answers.map((a) => a.transcript));
    for (const [i, answer] of recording.answers.entries()) {
      expect(Math.abs(stored[i]!.started_ms - answer.speechStartMs)).toBeLessThan(truthWithin);
      expect(Math.abs(stored[i]!.ended_ms - answer.speechEndMs)).toBeLessThan(truthWithin);
    }
    expect([...first.of('gap'), ...second.of('gap')]).toEqual([]);
    // Every final was either sent before the drop or after the reconnect; none twice.
    const sentFinals = [...first.of('final'), ...second.of('final')].map((m) => m.segmentId);
    expect(new Set(sentFinals).size).toBe(sentFinals.length);
    expect(second.of('ack').at(-1)?.seq).toBe(frames.length - 1);
  }, 60_000);

  it('closes an idle connection with 4408 and keeps the recording for the reconnect', async () => {
    const interviewId = await createInterview();
    const silence = Buffer.alloc(3200);
    const first = new Phone(interviewId);
    await first.ready(tok.lead!);
    for (let seq = 0; seq < 12; seq += 1) first.frame(seq, silence);
    await first.waitFor(() => first.of('ack').some((a) => a.seq === 9));
    expect(await first.closed).toBe(4408);
    expect(first.of('error').at(-1)).toMatchObject({ code: 'IDLE_TIMEOUT' });
    const second = new Phone(interviewId);
    expect(await second.ready(tok.lead!)).toBe(12);
    second.ws.send(JSON.stringify({ type: 'end' }));
    await second.waitFor(() => second.of('closed').length === 1);
    expect(live.sessions.size).toBe(0);
  }, 30_000);
});

describe('one recording per interviewer', () => {
  it('starts where the phone says, refuses malformed frames, and hands the recording to a newer connection', async () => {
    const interviewId = await createInterview();
    const silence = Buffer.alloc(3200);
    const first = new Phone(interviewId);
    // A phone whose earlier frames were lost with a server that forgot them starts the new recording at its own number.
    expect(await first.ready(tok.lead!, 40)).toBe(40);
    first.ws.send(Buffer.from([0, 0]), { binary: true });
    first.frame(41, Buffer.alloc(3201));
    for (let seq = 40; seq < 45; seq += 1) first.frame(seq, silence);
    await first.waitFor(() => first.of('ack').some((a) => a.seq === 44));
    expect(first.of('error').map((e) => e.code)).toEqual(['FRAME_INVALID', 'FRAME_INVALID']);

    const second = new Phone(interviewId);
    expect(await second.ready(tok.lead!)).toBe(45);
    expect(await first.closed).toBe(4000);
    expect(first.of('error').at(-1)).toMatchObject({ code: 'REPLACED' });
    expect(live.sessions.size).toBe(1);
    second.ws.send(JSON.stringify({ type: 'end' }));
    await second.waitFor(() => second.of('closed').length === 1);
    expect(live.sessions.size).toBe(0);
  }, 30_000);
});

describe('who may stream', () => {
  async function refused(interviewId: string, hello: object) {
    const phone = new Phone(interviewId);
    await phone.opened;
    phone.ws.send(JSON.stringify(hello));
    // A phone that does not wait for `ready` sends audio at once: none of it may be taken.
    phone.frame(0, Buffer.alloc(3200, 1));
    const code = await phone.closed;
    return { code, error: phone.of('error')[0], others: phone.messages.filter((m) => m.type !== 'error') };
  }

  it('refuses a wrong token, someone not on the panel, missing consent and an interview not yet started, before any write', async () => {
    const interviewId = await createInterview();
    const sessionsBefore = live.sessions.size;
    const hello = (token: string) => ({ type: 'hello', token, sampleRate: 16000 });
    expect(await refused(interviewId, hello('x'.repeat(43)))).toMatchObject({ code: 4401, error: { code: 'UNAUTHENTICATED' }, others: [] });
    expect(await refused(interviewId, hello(tok.outsider!))).toMatchObject({ code: 4403, error: { code: 'FORBIDDEN' }, others: [] });
    expect(await refused('not-a-uuid', hello(tok.lead!))).toMatchObject({ code: 4403, error: { code: 'FORBIDDEN' } });
    expect(await refused(interviewId, { type: 'hello', token: tok.lead, sampleRate: 8000 })).toMatchObject({ code: 4400, error: { code: 'VALIDATION_FAILED' } });
    const later = await createInterview({ startsAt: '2026-11-24T02:30:00Z' });
    expect(await refused(later, hello(tok.lead!))).toMatchObject({ code: 4409, error: { code: 'INVALID_TRANSITION' } });
    const cancelled = await createInterview({ status: 'cancelled' });
    expect(await refused(cancelled, hello(tok.lead!))).toMatchObject({ code: 4409, error: { code: 'INVALID_TRANSITION' } });
    expect(live.sessions.size).toBe(sessionsBefore);
    for (const id of [interviewId, later, cancelled]) expect(await segmentsOf(id)).toEqual([]);
    // The token travels in the first message only and never reaches a log line.
    expect(logs.join('\n')).not.toContain(tok.lead);
  }, 30_000);

  it('needs both the recording and the transcription consent', async () => {
    // A fresh candidate without consents: this file's candidate consented in the first test.
    const candidate = await http.post('/api/candidates').set({ authorization: `Bearer ${tok.hr}` }).send({ name: '周子航', phone: '13812345678', resumeText: '' }).expect(201);
    const application = await db.db.selectFrom('applications').select('job_id').where('id', '=', jobSetup.applicationId).executeTakeFirstOrThrow();
    const applied = await http.post('/api/applications').set({ authorization: `Bearer ${tok.hr}` }).send({ candidateId: candidate.body.id, jobId: application.job_id }).expect(201);
    await db.db.updateTable('applications').set({ stage: 'interviewing' }).where('id', '=', applied.body.id).execute();
    const saved = jobSetup;
    jobSetup = { ...saved, applicationId: applied.body.id, candidateId: candidate.body.id };
    try {
      const interviewId = await createInterview();
      const hello = { type: 'hello', token: tok.lead, sampleRate: 16000 };
      expect(await refused(interviewId, hello)).toMatchObject({ code: 4409, error: { code: 'CONSENT_REQUIRED' }, others: [] });
      await consentTo(['transcription']);
      expect(await refused(interviewId, hello)).toMatchObject({ code: 4409, error: { code: 'CONSENT_REQUIRED' }, others: [] });
      expect(await segmentsOf(interviewId)).toEqual([]);
      await consentTo(['interview_recording']);
      const phone = new Phone(interviewId);
      expect(await phone.ready(tok.lead!)).toBe(0);
      phone.ws.send(JSON.stringify({ type: 'end' }));
      await phone.waitFor(() => phone.of('closed').length === 1);
    } finally {
      jobSetup = saved;
    }
  }, 30_000);
});
