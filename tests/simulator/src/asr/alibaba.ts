import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RawData, WebSocket } from 'ws';
import type { Clock } from '../clock';
import { KnownAudioRecogniser, type KnownRecording, type RecognitionEvent } from './known-audio';

/**
 * Alibaba Cloud NLS real-time transcription (SpeechTranscriber) and its CreateToken API.
 * https://help.aliyun.com/zh/isi/developer-reference/websocket
 * - GET `/nls-meta/?Action=CreateToken&…&Signature=…` checks the POP signature (HMAC-SHA1 of `GET&%2F&<query>` with
 *   `secret&`) and answers `{RequestId, Token: {Id, ExpireTime, UserId}}`, or `{Code, Message}` with 400/404.
 * - `ws /ws/v1?token=…`: StartTranscription → TranscriptionStarted; audio → SentenceBegin,
 *   TranscriptionResultChanged (when enable_intermediate_result), SentenceEnd; StopTranscription →
 *   TranscriptionCompleted. Failures are a TaskFailed event with the status code, then the gateway closes.
 * Status codes used: 40000001 token invalid or expired, 40000002 invalid message, 40000004 idle too long
 * (10 s without data), 40000005 too many requests, 40020105 appkey does not exist.
 */
export const alibabaTokenPath = '/nls-meta/';
export const alibabaGatewayPath = '/ws/v1';

export interface AlibabaAccount {
  readonly accessKeyId: string;
  readonly accessKeySecret: string;
  readonly appKeys: readonly string[];
}

export interface AlibabaNlsTiming {
  readonly idleTimeoutMs: number;
  readonly tokenLifetimeSeconds: number;
  readonly maxConcurrentTasks: number;
  readonly partialEveryMs: number;
  readonly endpointSilenceMs: number;
}

export const defaultAlibabaNlsTiming: AlibabaNlsTiming = {
  idleTimeoutMs: 10_000,
  tokenLifetimeSeconds: 86_400,
  maxConcurrentTasks: 200,
  partialEveryMs: 200,
  endpointSilenceMs: 600,
};

export interface AlibabaTaskRecord {
  readonly taskId: string;
  readonly startPayload: Record<string, unknown>;
  audioBytes: number;
  stopReceived: boolean;
  readonly sent: Record<string, unknown>[];
  readonly identified: string[];
}

const statusTexts: Record<number, string> = {
  20000000: 'Gateway:SUCCESS:Success.',
  40000001: 'Gateway:ACCESS_DENIED:The token is invalid or expired!',
  40000002: 'Gateway:MESSAGE_INVALID:Invalid message!',
  40000004: 'Gateway:IDLE_TIMEOUT:Websocket session is idle for too long time!',
  40000005: 'Gateway:TOO_MANY_REQUESTS:Too many requests!',
  40020105: 'Meta:APPKEY_NOT_EXIST:Appkey not exist!',
};

const popEncode = (value: string) => encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
const hex32 = () => randomBytes(16).toString('hex');

export class AlibabaNlsSimulator {
  readonly accounts = new Map<string, AlibabaAccount>();
  readonly tasks: AlibabaTaskRecord[] = [];
  readonly tokensIssued: string[] = [];
  private readonly tokens = new Map<string, { accessKeyId: string; expiresAtMs: number }>();
  private live = 0;
  private timing: AlibabaNlsTiming;
  private injected: { status: number; afterBytes: number } | undefined;
  private dropAfterBytes: number | undefined;

  constructor(
    private readonly clock: Clock,
    private readonly recordings: readonly KnownRecording[],
    timing: Partial<AlibabaNlsTiming> = {},
  ) {
    this.timing = { ...defaultAlibabaNlsTiming, ...timing };
  }

  addAccount(account: AlibabaAccount): void {
    this.accounts.set(account.accessKeyId, account);
  }

  setTiming(timing: Partial<AlibabaNlsTiming>): void {
    this.timing = { ...this.timing, ...timing };
  }

  /** Makes every token issued so far invalid (as after its ExpireTime). */
  expireTokens(): void {
    this.tokens.clear();
  }

  failNextTask(status: number, afterBytes = 0): void {
    this.injected = { status, afterBytes };
  }

  dropNextTask(afterBytes: number): void {
    this.dropAfterBytes = afterBytes;
  }

  handleTokenRequest(request: IncomingMessage, response: ServerResponse): void {
    const url = new URL(request.url ?? '/', 'http://placeholder');
    const params = url.searchParams;
    const reply = (status: number, body: Record<string, unknown>) => {
      response.writeHead(status, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ RequestId: hex32().toUpperCase(), ...body }));
    };
    if (params.get('Action') !== 'CreateToken') return reply(400, { Code: 'InvalidAction.NotFound', Message: 'Specified api is not found' });
    const account = this.accounts.get(params.get('AccessKeyId') ?? '');
    if (!account) return reply(404, { Code: 'InvalidAccessKeyId.NotFound', Message: 'Specified access key is not found.' });
    const signature = params.get('Signature') ?? '';
    const canonical = [...params.keys()]
      .filter((key) => key !== 'Signature')
      .sort()
      .map((key) => `${popEncode(key)}=${popEncode(params.get(key) ?? '')}`)
      .join('&');
    const expected = createHmac('sha1', `${account.accessKeySecret}&`).update(`GET&${popEncode('/')}&${popEncode(canonical)}`).digest();
    const given = Buffer.from(signature, 'base64');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      return reply(400, { Code: 'SignatureDoesNotMatch', Message: 'Specified signature is not matched with our calculation.' });
    }
    const stamp = Date.parse(params.get('Timestamp') ?? '');
    if (!Number.isFinite(stamp) || Math.abs(stamp - this.clock.now().getTime()) > 15 * 60_000) {
      return reply(400, { Code: 'InvalidTimeStamp.Expired', Message: 'Specified time stamp or date value is expired.' });
    }
    const id = hex32();
    const expiresAtMs = this.clock.now().getTime() + this.timing.tokenLifetimeSeconds * 1000;
    this.tokens.set(id, { accessKeyId: account.accessKeyId, expiresAtMs });
    this.tokensIssued.push(id);
    reply(200, { Token: { Id: id, ExpireTime: Math.floor(expiresAtMs / 1000), UserId: account.accessKeyId.slice(0, 8) } });
  }

  accept(socket: WebSocket, request: IncomingMessage): void {
    const token = new URL(request.url ?? '/', 'http://placeholder').searchParams.get('token') ?? String(request.headers['x-nls-token'] ?? '');
    const grant = this.tokens.get(token);
    const tokenValid = grant !== undefined && grant.expiresAtMs > this.clock.now().getTime();
    let task: AlibabaTaskRecord | undefined;
    let recogniser: KnownAudioRecogniser | undefined;
    let idle: NodeJS.Timeout | undefined;
    let counted = false;
    const injected = this.injected;
    this.injected = undefined;
    const dropAfter = this.dropAfterBytes;
    this.dropAfterBytes = undefined;

    const send = (name: string, status: number, payload: Record<string, unknown> = {}) => {
      const event = {
        header: { namespace: 'SpeechTranscriber', name, status, message_id: hex32(), task_id: task?.taskId ?? '', status_text: statusTexts[status] ?? 'Gateway:ERROR' },
        payload,
      };
      task?.sent.push(event);
      if (socket.readyState === socket.OPEN) socket.send(JSON.stringify(event));
    };
    const failTask = (status: number) => {
      clearTimeout(idle);
      send('TaskFailed', status);
      socket.close(1000);
    };
    const armIdle = () => {
      clearTimeout(idle);
      idle = setTimeout(() => failTask(40_000_004), this.timing.idleTimeoutMs);
    };
    const deliver = (events: RecognitionEvent[]) => {
      const intermediate = task?.startPayload.enable_intermediate_result === true;
      for (const event of events) {
        if (event.kind === 'begin') send('SentenceBegin', 20_000_000, { index: event.index + 1, time: event.startMs });
        else if (event.kind === 'partial' && intermediate) {
          send('TranscriptionResultChanged', 20_000_000, { index: event.index + 1, time: event.endMs, result: event.text, confidence: 0.9, words: [] });
        } else if (event.kind === 'end') {
          send('SentenceEnd', 20_000_000, { index: event.index + 1, time: event.endMs, begin_time: event.startMs, result: event.text, confidence: 0.9, words: [] });
        }
      }
      if (task && recogniser) task.identified.splice(0, task.identified.length, ...recogniser.identified);
    };

    armIdle();
    socket.on('message', (data: RawData, isBinary: boolean) => {
      if (isBinary) {
        if (!task || !recogniser || task.stopReceived) return failTask(40_000_002);
        const chunk = Buffer.isBuffer(data) ? data : Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data);
        task.audioBytes += chunk.length;
        if (dropAfter !== undefined && task.audioBytes >= dropAfter) {
          clearTimeout(idle);
          socket.terminate();
          return;
        }
        if (injected && task.audioBytes >= injected.afterBytes) return failTask(injected.status);
        armIdle();
        deliver(recogniser.feed(chunk));
        return;
      }
      let command: { header?: Record<string, unknown>; payload?: Record<string, unknown> };
      try {
        command = JSON.parse(Buffer.isBuffer(data) ? data.toString('utf8') : String(data)) as typeof command;
      } catch {
        return failTask(40_000_002);
      }
      const header = command.header ?? {};
      if (header.namespace !== 'SpeechTranscriber' || typeof header.task_id !== 'string' || !/^[0-9a-f]{32}$/.test(header.task_id)) {
        return failTask(40_000_002);
      }
      if (header.name === 'StartTranscription') {
        if (task) return failTask(40_000_002);
        task = { taskId: header.task_id, startPayload: command.payload ?? {}, audioBytes: 0, stopReceived: false, sent: [], identified: [] };
        this.tasks.push(task);
        if (!tokenValid) return failTask(40_000_001);
        const account = grant ? this.accounts.get(grant.accessKeyId) : undefined;
        if (!account || typeof header.appkey !== 'string' || !account.appKeys.includes(header.appkey)) return failTask(40_020_105);
        if (this.live >= this.timing.maxConcurrentTasks) return failTask(40_000_005);
        const format = task.startPayload.format ?? 'pcm';
        const rate = task.startPayload.sample_rate ?? 16_000;
        if (format !== 'pcm' || rate !== 16_000) return failTask(40_000_002);
        this.live += 1;
        counted = true;
        recogniser = new KnownAudioRecogniser(this.recordings, this.timing);
        send('TranscriptionStarted', 20_000_000, { session_id: hex32() });
        armIdle();
        return;
      }
      if (header.name === 'StopTranscription') {
        if (!task || !recogniser || header.task_id !== task.taskId) return failTask(40_000_002);
        task.stopReceived = true;
        clearTimeout(idle);
        deliver(recogniser.finish());
        send('TranscriptionCompleted', 20_000_000);
        socket.close(1000);
        return;
      }
      failTask(40_000_002);
    });
    socket.on('close', () => {
      clearTimeout(idle);
      if (counted) this.live -= 1;
      counted = false;
    });
    socket.on('error', () => undefined);
  }
}
