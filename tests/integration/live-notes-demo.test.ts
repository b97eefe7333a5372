import { Writable } from 'node:stream';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { loadConfig } from '@hirebridge/config';
import { createLogger } from '../../server/src/observability/logger';
import { startHireBridge, type RunningHireBridge } from '../../server/src/server';
import { composeRecording, framesOf } from '../simulator/src/asr/recordings';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { freePort } from '../support/free-port';

/**
 * The demo run as `npm start` wires it: the server started from configuration (HB_ASR_ENGINE unset, so "none") with
 * the platform simulator, whose Tencent real-time ASR then serves live notes on the same HTTP server as the API. A
 * demo interviewer signs in with the demo login and streams a fixture answer over the live-notes WebSocket.
 */
let db: TestDatabase;
let running: RunningHireBridge;
const logs: string[] = [];

beforeAll(async () => {
  db = await createTestDatabase();
  const config = loadConfig({
    HB_MODE: 'demo', DATABASE_URL: db.url, HB_PORT: '0', HB_HOST: '127.0.0.1', HB_SIMULATOR_PORT: String(await freePort()),
    HB_LOG_LEVEL: 'info', HB_PURGE_CRON: 'off', HB_ROSTER_RECONCILE_CRON: 'off',
  });
  expect(config.asr.engine).toBe('none');
  const log = createLogger({ level: 'info', destination: new Writable({ write(chunk: Buffer, _e, done) { logs.push(chunk.toString('utf8')); done(); } }) });
  running = await startHireBridge(config, { log });
  await running.ready;
}, 120_000);

afterAll(async () => {
  await running?.stop();
  await db?.drop();
});

describe('live notes in the demo', () => {
  it('transcribes through the simulator’s Tencent ASR and stores the segment', async () => {
    // An interview of a demo candidate starting now, with both consents, the demo's backend interviewer on the panel.
    const application = await db.db
      .selectFrom('applications')
      .innerJoin('tenants', 'tenants.id', 'applications.tenant_id')
      .innerJoin('competency_models', 'competency_models.job_id', 'applications.job_id')
      .innerJoin('interview_rounds', 'interview_rounds.job_id', 'applications.job_id')
      .select(['applications.id', 'applications.tenant_id', 'applications.candidate_id', 'competency_models.id as model_id', 'interview_rounds.id as round_id'])
      .where('tenants.is_demo', '=', true)
      .where('applications.stage', '=', 'interviewing')
      .executeTakeFirstOrThrow();
    const interviewer = await db.db.selectFrom('employees').select('id').where('tenant_id', '=', application.tenant_id).where('roles', '@>', sql<string[]>`${sql.val(['interviewer'])}::text[]`).executeTakeFirstOrThrow();
    await db.db.updateTable('interviews').set({ status: 'cancelled' }).where('application_id', '=', application.id).execute();
    const interview = await db.db.insertInto('interviews').values({
      tenant_id: application.tenant_id, application_id: application.id, round_id: application.round_id, competency_model_id: application.model_id,
      status: 'in_progress', starts_at: new Date(Date.now() - 60_000), ends_at: new Date(Date.now() + 3_600_000), location: '会议室', schedule_version: 1,
    }).returning('id').executeTakeFirstOrThrow();
    await db.db.insertInto('interview_panelists').values({ tenant_id: application.tenant_id, interview_id: interview.id, employee_id: interviewer.id, role: 'lead', focus_competency_ids: [] }).execute();
    for (const purpose of ['transcription', 'interview_recording'] as const) {
      await db.db.insertInto('consents').values({ tenant_id: application.tenant_id, candidate_id: application.candidate_id, purpose, notice_version: 'demo', channel: 'miniapp', given_at: new Date() }).execute();
    }
    const signIn = await fetch(`${running.url}/api/dev/sessions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ employeeId: interviewer.id }) });
    expect(signIn.status).toBe(201);
    const { token } = (await signIn.json()) as { token: string };

    const recording = composeRecording(['star-quantified']);
    const frames = framesOf(recording.pcm, 100);
    const ws = new WebSocket(`${running.url.replace('http', 'ws')}/api/interviews/${interview.id}/live-notes`);
    const messages: { type: string; [k: string]: unknown }[] = [];
    const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
    let ready!: () => void;
    const isReady = new Promise<void>((resolve) => (ready = resolve));
    ws.on('message', (data) => {
      const message = JSON.parse(String(data)) as { type: string };
      messages.push(message);
      if (message.type === 'ready') ready();
    });
    await new Promise((resolve) => ws.once('open', resolve));
    ws.send(JSON.stringify({ type: 'hello', token, sampleRate: 16000 }));
    await Promise.race([isReady, closed.then((code) => { throw new Error(`refused ${code}: ${JSON.stringify(messages)}`); })]);
    // 4× real time: this test is about the wiring, not the timing.
    for (const [seq, pcm] of frames.entries()) {
      const header = Buffer.alloc(4);
      header.writeUInt32BE(seq);
      ws.send(Buffer.concat([header, pcm]));
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    ws.send(JSON.stringify({ type: 'end' }));
    expect(await closed).toBe(1000);
    expect(messages.filter((m) => m.type === 'final').map((m) => m.text)).toEqual([recording.answers[0]!.transcript]);
    expect(messages.at(-1)).toEqual({ type: 'closed' });
    const stored = await db.db.selectFrom('transcript_segments').select(['text', 'source']).where('interview_id', '=', interview.id).execute();
    expect(stored).toEqual([{ text: recording.answers[0]!.transcript, source: 'asr' }]);
    expect(logs.join('\n')).toContain('simulated Tencent real-time ASR');
    expect(logs.join('\n')).not.toContain(token);
  }, 60_000);
});
