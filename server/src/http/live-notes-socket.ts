import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { type RawData, WebSocket, WebSocketServer } from 'ws';
import { z } from 'zod';
import { AppError } from '../domain/errors';
import type { FeatureContext } from '../features/context';
import { authorizeLiveNotes, type LiveNotesMessage, LiveNotesSessions, type LiveNotesSink, type LiveRecording } from '../features/live-notes/live-sessions';
import type { Logger } from '../observability/logger';
import type { SpeechToText } from '../ports/speech-to-text';
import type { VoiceActivityDetectorFactory } from '../ports/voice-activity';

/**
 * `GET /api/interviews/:interviewId/live-notes` (WebSocket upgrade on the API's own HTTP server).
 *
 * Phone → server: first a text frame `{"type":"hello","token":"<session token>","sampleRate":16000,"resumeFromSeq"?:n}`
 * (a browser WebSocket cannot send headers, and the token never goes in the URL); then binary frames of a 4-byte
 * big-endian sequence number followed by 16 kHz mono PCM16 LE (at most 1 s); `{"type":"end"}` when done.
 * Server → phone: `ready` (nextSeq: resend from there), `ack` (at least every 10 frames), `partial`, `final` (already
 * stored), `prompt`, `gap`, `error`, `closed`.
 * Close codes: 1000 after `end`; 4400 malformed hello; 4401 UNAUTHENTICATED; 4403 FORBIDDEN; 4408 no audio for
 * 60 s (or no hello within 10 s); 4409 CONSENT_REQUIRED / INVALID_TRANSITION; 4000 taken over by a newer connection
 * of the same interviewer; 1011 server error.
 */
export const liveNotesPath = /^\/api\/interviews\/([^/]+)\/live-notes$/;
const ackEveryFrames = 5;
const maxPcmBytes = 32_000;

const Hello = z.object({
  type: z.literal('hello'),
  token: z.string().min(1).max(200),
  sampleRate: z.literal(16_000),
  resumeFromSeq: z.number().int().min(0).max(0xffff_ffff).optional(),
});
const End = z.object({ type: z.literal('end') });

const closeCodeOf: Record<string, number> = { UNAUTHENTICATED: 4401, FORBIDDEN: 4403, CONSENT_REQUIRED: 4409, INVALID_TRANSITION: 4409, VALIDATION_FAILED: 4400 };

export interface LiveNotesSocketOptions {
  readonly features: FeatureContext;
  /** Read when a phone connects, so the demo can plug in the simulator's engine once it runs. */
  readonly speech: () => SpeechToText | undefined;
  /** Loaded when the first phone connects: the VAD's native module costs start-up time and memory otherwise. */
  readonly voiceActivity: VoiceActivityDetectorFactory | (() => Promise<VoiceActivityDetectorFactory>);
  readonly log: Logger;
  readonly idleTimeoutMs?: number;
  readonly helloTimeoutMs?: number;
  readonly keepAfterDropMs?: number;
}

export interface LiveNotesSocket {
  readonly sessions: LiveNotesSessions;
  /** Messages sent to phones since start, for the benchmark's message rate. */
  readonly sent: { messages: number };
  close(): Promise<void>;
}

export function attachLiveNotesSocket(server: Server, options: LiveNotesSocketOptions): LiveNotesSocket {
  const wss = new WebSocketServer({ noServer: true, maxPayload: 4 + maxPcmBytes + 1024 });
  const sent = { messages: 0 };
  let voiceActivity = typeof options.voiceActivity === 'function' ? undefined : options.voiceActivity;
  const loadVoiceActivity = async () => {
    if (!voiceActivity && typeof options.voiceActivity === 'function') voiceActivity = await options.voiceActivity();
  };
  const sessions = new LiveNotesSessions({
    ctx: options.features,
    speech: options.speech,
    // Always loaded (loadVoiceActivity) before a recording is attached.
    voiceActivity: { create: () => voiceActivity!.create() },
    maxFrameBytes: maxPcmBytes,
    ...(options.keepAfterDropMs !== undefined && { keepAfterDropMs: options.keepAfterDropMs }),
    onBackgroundError: (error, recording) => options.log.warn({ err: error, interviewId: recording.interviewId }, 'live notes: a transcript segment could not be stored'),
  });
  const idleTimeoutMs = options.idleTimeoutMs ?? 60_000;
  const helloTimeoutMs = options.helloTimeoutMs ?? 10_000;

  const onUpgrade = (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    const path = new URL(request.url ?? '/', 'http://placeholder').pathname;
    const match = liveNotesPath.exec(path);
    if (!match?.[1]) {
      // Other upgrade handlers may share this server; with none, an unknown path is refused.
      if (server.listenerCount('upgrade') === 1) socket.destroy();
      return;
    }
    // The id is checked as a UUID later; a malformed escape must not throw out of the upgrade handler.
    const interviewId = match[1];
    wss.handleUpgrade(request, socket, head, (ws) => handle(ws, interviewId));
  };
  server.on('upgrade', onUpgrade);

  function handle(ws: WebSocket, interviewId: string) {
    const send = (message: LiveNotesMessage | { type: 'ready'; nextSeq: number } | { type: 'ack'; seq: number } | { type: 'closed' }) => {
      if (ws.readyState !== WebSocket.OPEN) return;
      sent.messages += 1;
      ws.send(JSON.stringify(message));
    };
    const refuse = (code: string, message: string, closeCode: number) => {
      send({ type: 'error', code, message });
      ws.close(closeCode, code);
    };
    let takenOver = false;
    const sink: LiveNotesSink = {
      send,
      replaced: () => {
        takenOver = true;
        refuse('REPLACED', '已在新的连接上继续录音。The recording continues on a newer connection.', 4000);
      },
    };
    let recording: LiveRecording | undefined;
    let state: 'hello' | 'authorizing' | 'streaming' | 'ending' = 'hello';
    let framesSinceAck = 0;
    let idleTimer: NodeJS.Timeout | undefined;
    const helloTimer = setTimeout(() => refuse('UNAUTHENTICATED', '未收到登录信息。No hello message with a session token arrived in time.', 4408), helloTimeoutMs);
    const armIdle = () => {
      clearTimeout(idleTimer);
      idleTimer = setTimeout(() => refuse('IDLE_TIMEOUT', '60 秒未收到音频，连接已关闭。No audio for 60 seconds; reconnect to continue.', 4408), idleTimeoutMs);
    };

    const onHello = async (hello: z.infer<typeof Hello>) => {
      state = 'authorizing';
      try {
        const principal = await authorizeLiveNotes(options.features, hello.token, interviewId);
        await loadVoiceActivity();
        if (ws.readyState !== WebSocket.OPEN) return;
        const attached = sessions.attach(principal, interviewId, sink, hello.resumeFromSeq);
        recording = attached.recording;
        state = 'streaming';
        send({ type: 'ready', nextSeq: attached.nextSeq });
        armIdle();
      } catch (error) {
        if (error instanceof AppError && closeCodeOf[error.code]) return refuse(error.code, error.message, closeCodeOf[error.code] ?? 4400);
        options.log.error({ err: error, interviewId }, 'live notes: could not open the session');
        refuse('INTERNAL', '服务器错误，请稍后重试。Server error; please retry.', 1011);
      }
    };
    const onFrame = (data: Buffer) => {
      if (state !== 'streaming' || !recording) return; // before `ready` the phone must wait; it resends from nextSeq
      armIdle();
      if (data.length < 4) {
        send({ type: 'error', code: 'FRAME_INVALID', message: '音频帧格式不正确。An audio frame needs a 4-byte sequence number before the PCM.' });
        return;
      }
      const result = recording.transcriber.acceptFrame({ seq: data.readUInt32BE(0), pcm: data.subarray(4) });
      if (result.status === 'rejected') {
        send({ type: 'error', code: result.code, message: result.message });
        return;
      }
      framesSinceAck += 1;
      if (framesSinceAck >= ackEveryFrames) {
        framesSinceAck = 0;
        send({ type: 'ack', seq: recording.transcriber.expectedSeq - 1 });
      }
    };

    const onEnd = async () => {
      if (!recording) return;
      state = 'ending';
      clearTimeout(idleTimer);
      try {
        await sessions.end(recording);
        send({ type: 'ack', seq: recording.transcriber.expectedSeq - 1 });
        send({ type: 'closed' });
        ws.close(1000, 'closed');
      } catch (error) {
        options.log.error({ err: error, interviewId }, 'live notes: finishing the recording failed');
        refuse('INTERNAL', '服务器错误，请稍后重试。Server error; please retry.', 1011);
      }
    };

    ws.on('message', (data: RawData, isBinary: boolean) => {
      const bytes = Buffer.isBuffer(data) ? data : Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data);
      if (isBinary) return onFrame(bytes);
      let parsed: unknown;
      try {
        parsed = JSON.parse(bytes.toString('utf8'));
      } catch {
        parsed = undefined;
      }
      if (state === 'hello') {
        clearTimeout(helloTimer);
        const hello = Hello.safeParse(parsed);
        if (!hello.success) {
          // Never echo the message: it may hold the token.
          return refuse('VALIDATION_FAILED', '第一条消息须为 hello（含 token 与 sampleRate 16000）。The first message must be hello with a token and sampleRate 16000.', 4400);
        }
        void onHello(hello.data);
        return;
      }
      if (state === 'streaming' && End.safeParse(parsed).success) {
        void onEnd();
        return;
      }
      send({ type: 'error', code: 'VALIDATION_FAILED', message: '无法识别的消息。Unknown message; expected binary audio frames or {"type":"end"}.' });
    });
    ws.on('close', () => {
      clearTimeout(helloTimer);
      clearTimeout(idleTimer);
      if (recording && state === 'streaming' && !takenOver) sessions.detach(recording, sink);
    });
    ws.on('error', (error) => options.log.debug({ err: error, interviewId }, 'live notes: socket error'));
  }

  return {
    sessions,
    sent,
    async close() {
      server.off('upgrade', onUpgrade);
      for (const client of wss.clients) client.close(1001, 'server shutting down');
      await sessions.closeAll();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}
