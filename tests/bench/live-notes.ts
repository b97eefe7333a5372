// Live notes through the phone's WebSocket, at real time: HB_BENCH_LIVE_NOTES_STREAMS interviews at once (default 4,
// alternately recognised by the simulated Tencent and Alibaba vendors), each a phone client that sends the fixture
// answers (tests/fixtures/audio-zh joined with 1.5 s of silence) as 100 ms frames on a timer over the live-notes
// protocol (hello with a session token, 4-byte sequence number + PCM16, end) to the real endpoint on a real HTTP
// server → session and consent checks on PostgreSQL → LiveTranscriber → silero VAD → ASR adapter → vendor simulator,
// and back: partial, final (stored as a transcript segment first), prompt. Measured per answer, on the phone's clock:
//  - first-partial latency: from sending the frame holding the answer's first speech sample to the first partial;
//  - final latency: from sending the frame holding its last speech sample to the final (includes the VAD's 0.5 s of
//    silence that ends an utterance, the segment INSERT and the session's SELECTs);
//  - the message rate on the socket both ways, and the prompts that followed the finals.
// Phones, server and simulators share this process and its cores. Needs PostgreSQL (HB_BENCH_PG_ADMIN_URL).
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import supertest from 'supertest';
import { WebSocket } from 'ws';
import { AlibabaSpeechToText } from '../../server/src/adapters/asr/alibaba-nls';
import { TencentSpeechToText } from '../../server/src/adapters/asr/tencent-asr';
import { sileroVoiceActivity } from '../../server/src/adapters/asr/vad';
import { connectDatabase } from '../../server/src/adapters/postgres/database';
import { migrateToLatest } from '../../server/src/adapters/postgres/migrator';
import { postgresStores, postgresTransact } from '../../server/src/adapters/postgres/stores';
import type { FeatureContext } from '../../server/src/features/context';
import { createApp } from '../../server/src/http/create-app';
import { attachLiveNotesSocket } from '../../server/src/http/live-notes-socket';
import { createLogger } from '../../server/src/observability/logger';
import { systemClock } from '../../server/src/ports/clock';
import type { SpeechToText } from '../../server/src/ports/speech-to-text';
import { startAsrSimulator } from '../simulator/src/asr/asr-simulator';
import { loadKnownRecordings } from '../simulator/src/asr/known-audio';
import { composeRecording, framesOf, type ComposedRecording } from '../simulator/src/asr/recordings';
import { competencyModelInput, createTenant, signIn } from '../support/fixtures';
import { distribution, envNumber, isMain, ms, table, type BenchSummary } from './support';

const adminUrl = process.env.HB_BENCH_PG_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const frameMs = 100;

async function adminQuery(text: string) {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    return await client.query(text);
  } finally {
    await client.end();
  }
}

interface PhoneResult {
  readonly firstPartialMs: number[];
  readonly finalMs: number[];
  readonly correct: number;
  readonly prompts: number;
  readonly framesOut: number;
  readonly messagesIn: number;
  readonly wallMs: number;
}

/** One phone streaming the recording at real time over the live-notes protocol. */
async function phoneAtRealTime(url: string, token: string, recording: ComposedRecording): Promise<PhoneResult> {
  const frames = framesOf(recording.pcm, frameMs);
  const ws = new WebSocket(url);
  const arrivals: { message: { type: string; [k: string]: unknown }; at: number }[] = [];
  let onMessage = () => {};
  ws.on('message', (data) => {
    arrivals.push({ message: JSON.parse(String(data)) as { type: string }, at: performance.now() });
    onMessage();
  });
  const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
  const until = (predicate: () => boolean) =>
    new Promise<void>((resolve, reject) => {
      const check = () => (predicate() ? resolve() : undefined);
      onMessage = check;
      void closed.then((code) => (predicate() ? resolve() : reject(new Error(`socket closed ${code}: ${JSON.stringify(arrivals.slice(-3).map((a) => a.message))}`))));
      check();
    });
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  ws.send(JSON.stringify({ type: 'hello', token, sampleRate: 16_000 }));
  await until(() => arrivals.some((a) => a.message.type === 'ready'));
  const sentAt: number[] = [];
  const started = performance.now();
  for (const [seq, pcm] of frames.entries()) {
    const wait = started + (seq + 1) * frameMs - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    const header = Buffer.alloc(4);
    header.writeUInt32BE(seq);
    sentAt[seq] = performance.now();
    ws.send(Buffer.concat([header, pcm]));
  }
  ws.send(JSON.stringify({ type: 'end' }));
  await until(() => arrivals.some((a) => a.message.type === 'closed'));
  await closed;
  const wallMs = performance.now() - started;

  const sentTimeOf = (audioMs: number) => sentAt[Math.min(sentAt.length - 1, Math.floor(audioMs / frameMs))] ?? NaN;
  const firstPartialMs: number[] = [];
  const finalMs: number[] = [];
  let correct = 0;
  for (const answer of recording.answers) {
    const near = (a: (typeof arrivals)[number]) => Math.abs((a.message.startMs as number) - answer.speechStartMs) < 500;
    const final = arrivals.find((a) => a.message.type === 'final' && near(a));
    const first = arrivals.find((a) => (a.message.type === 'partial' || a.message.type === 'final') && near(a));
    if (first) firstPartialMs.push(first.at - sentTimeOf(answer.speechStartMs));
    if (!final) continue;
    if (final.message.text === answer.transcript) correct += 1;
    finalMs.push(final.at - sentTimeOf(answer.speechEndMs));
  }
  return {
    firstPartialMs, finalMs, correct,
    prompts: arrivals.filter((a) => a.message.type === 'prompt').length,
    framesOut: frames.length + 2, messagesIn: arrivals.length, wallMs,
  };
}

export async function run(): Promise<BenchSummary> {
  const streams = envNumber('HB_BENCH_LIVE_NOTES_STREAMS', 4);
  const recordings = loadKnownRecordings();
  const recording = composeRecording(recordings.map((r) => r.id), 1500, recordings);
  const audioSeconds = recording.pcm.length / 32_000;
  console.log(`\n== Live notes over the phone's WebSocket: ${streams} interview(s) of ${audioSeconds.toFixed(1)} s at real time ==`);

  const dbName = `hb_bench_live_${process.pid}_${randomBytes(3).toString('hex')}`;
  await adminQuery(`create database ${dbName}`);
  const dbUrl = new URL(adminUrl);
  dbUrl.pathname = `/${dbName}`;
  const log = createLogger({ level: 'silent' });
  const database = connectDatabase({ url: dbUrl.toString(), poolMax: 8, log, applicationName: 'hirebridge-bench-live-notes' });
  const sim = await startAsrSimulator(systemClock, '127.0.0.1');
  const server = createServer();
  try {
    await migrateToLatest(database.db as never);
    const features: FeatureContext = { stores: postgresStores(database.db), transact: postgresTransact(database.db), clock: systemClock };
    const app = createApp({ features, log, secretsEnv: {}, devLogin: false, http: { bodyLimitBytes: 256 * 1024, trustProxy: false }, readiness: { check: async () => ({ database: 'up', migrations: 'applied', draining: false }) } });
    server.on('request', app.callback());

    sim.tencent.addApp({ appId: '1300009998', secretId: 'AKIDbenchlive', secretKey: 'bench-live-secret' });
    sim.alibaba.addAccount({ accessKeyId: 'LTAIbenchlive', accessKeySecret: 'bench-live-ali-secret', appKeys: ['bench-live-appkey'] });
    sim.tencent.setTiming({ maxConcurrentStreams: streams + 5 });
    const engines: SpeechToText[] = [
      new TencentSpeechToText({ appId: '1300009998', secretId: 'AKIDbenchlive', secretKey: 'bench-live-secret', endpoint: sim.endpoints.tencent, clock: systemClock }),
      new AlibabaSpeechToText({ accessKeyId: 'LTAIbenchlive', accessKeySecret: 'bench-live-ali-secret', appKey: 'bench-live-appkey', tokenEndpoint: sim.endpoints.alibabaToken, gatewayUrl: sim.endpoints.alibabaGateway, clock: systemClock }),
    ];
    let opened = 0;
    const live = attachLiveNotesSocket(server, { features, speech: () => engines[opened++ % engines.length], voiceActivity: sileroVoiceActivity(), log });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    const base = `127.0.0.1:${(server.address() as AddressInfo).port}`;

    // A tenant, a job with a competency model, and one consenting candidate with an interview in progress per stream.
    const tenant = await createTenant(database.db, { name: '实时笔记压测公司' });
    const day = 86_400_000;
    const tokens = { admin: await signIn(database.db, tenant, tenant.employees.admin.id, day), hr: await signIn(database.db, tenant, tenant.employees.hr.id, day), lead: await signIn(database.db, tenant, tenant.employees.interviewer.id, day) };
    const http = supertest(app.callback());
    const as = (token: string) => ({ authorization: `Bearer ${token}` });
    const job = await http.post('/api/jobs').set(as(tokens.admin)).send({ title: '后端工程师', departmentId: tenant.departmentId, rounds: [{ name: '技术面', durationMinutes: 60 }] }).expect(201);
    await http.put(`/api/jobs/${job.body.id}/competency-model`).set(as(tokens.admin)).send(competencyModelInput());
    await http.post(`/api/jobs/${job.body.id}/status`).set(as(tokens.admin)).send({ status: 'open' }).expect(200);
    const model = await database.db.selectFrom('competency_models').select('id').where('job_id', '=', job.body.id).executeTakeFirstOrThrow();
    const round = await database.db.selectFrom('interview_rounds').select('id').where('job_id', '=', job.body.id).executeTakeFirstOrThrow();
    const interviewIds: string[] = [];
    for (let i = 0; i < streams; i += 1) {
      const candidate = await http.post('/api/candidates').set(as(tokens.hr)).send({ name: `压测候选人${i + 1}`, phone: `139000000${String(i).padStart(2, '0')}`, resumeText: '' }).expect(201);
      const application = await http.post('/api/applications').set(as(tokens.hr)).send({ candidateId: candidate.body.id, jobId: job.body.id }).expect(201);
      await database.db.updateTable('applications').set({ stage: 'interviewing' }).where('id', '=', application.body.id).execute();
      for (const purpose of ['transcription', 'interview_recording'] as const) {
        await database.db.insertInto('consents').values({ tenant_id: tenant.tenantId, candidate_id: candidate.body.id, purpose, notice_version: 'bench', channel: 'miniapp', given_at: new Date() }).execute();
      }
      const interview = await database.db.insertInto('interviews').values({
        tenant_id: tenant.tenantId, application_id: application.body.id, round_id: round.id, competency_model_id: model.id, status: 'in_progress',
        starts_at: new Date(Date.now() - 60_000), ends_at: new Date(Date.now() + 3_600_000), location: '会议室', schedule_version: 1,
      }).returning('id').executeTakeFirstOrThrow();
      await database.db.insertInto('interview_panelists').values({ tenant_id: tenant.tenantId, interview_id: interview.id, employee_id: tenant.employees.interviewer.id, role: 'lead', focus_competency_ids: [] }).execute();
      interviewIds.push(interview.id);
    }

    const cpuBefore = process.cpuUsage();
    const wallStarted = performance.now();
    const results = await Promise.all(interviewIds.map((id) => phoneAtRealTime(`ws://${base}/api/interviews/${id}/live-notes`, tokens.lead, recording)));
    const wallMs = performance.now() - wallStarted;
    const cpu = process.cpuUsage(cpuBefore);
    const stored = await database.db.selectFrom('transcript_segments').select(({ fn }) => fn.countAll<string>().as('n')).where('interview_id', 'in', interviewIds).executeTakeFirstOrThrow();
    await live.close();

    const first = distribution(results.flatMap((r) => r.firstPartialMs));
    const final = distribution(results.flatMap((r) => r.finalMs));
    const p95 = (values: number[]) => {
      const sorted = [...values].sort((a, b) => a - b);
      return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(0.95 * sorted.length) - 1))] ?? NaN;
    };
    const correct = results.reduce((n, r) => n + r.correct, 0);
    const answers = streams * recording.answers.length;
    const latency = table(
      ['phone → WebSocket → VAD → ASR (simulated) → back', 'answers', 'text right', 'first partial p50 ms', 'p95 ms', 'final p50 ms', 'p95 ms'],
      [[`${streams} stream(s), Tencent and Alibaba alternately`, String(first.count), `${correct}/${answers}`, ms(first.p50), ms(p95(results.flatMap((r) => r.firstPartialMs))), ms(final.p50), ms(p95(results.flatMap((r) => r.finalMs)))]],
    );
    const seconds = (r: PhoneResult) => r.wallMs / 1000;
    const rates = table(
      ['WebSocket per stream', 'phone → server msg/s', 'server → phone msg/s', 'prompts', 'segments stored'],
      [[`mean of ${streams}`, (results.reduce((n, r) => n + r.framesOut / seconds(r), 0) / streams).toFixed(1), (results.reduce((n, r) => n + r.messagesIn / seconds(r), 0) / streams).toFixed(1), String(results.reduce((n, r) => n + r.prompts, 0)), `${stored.n}/${answers}`]],
    );
    const cpuShare = ((cpu.user + cpu.system) / 1000 / wallMs) * 100;
    const text = `${latency}\n\n${rates}\n\nwhole process (phones, server, simulators): ${cpuShare.toFixed(0)}% of one core over ${(wallMs / 1000).toFixed(1)} s; socket messages sent by the server: ${live.sent.messages}`;
    console.log(text);
    return { title: 'Live notes over the phone WebSocket', text };
  } finally {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await sim.close();
    await database.close();
    await adminQuery(`drop database if exists ${dbName} with (force)`);
  }
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
