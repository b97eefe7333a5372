import { createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { RawData, WebSocket } from 'ws';
import type { Clock } from '../clock';
import { KnownAudioRecogniser, type KnownRecording, type RecognitionEvent } from './known-audio';

/**
 * Tencent Cloud real-time ASR, WebSocket API v2 (wss://asr.cloud.tencent.com/asr/v2/<appid>?…&signature=…).
 * https://cloud.tencent.com/document/product/1093/48982
 * Checks the signed URL like the service (HMAC-SHA1 of host + path + sorted raw query), answers the handshake with
 * `{code: 0}`, then results with slice_type 0 (sentence begins) / 1 (unstable text) / 2 (settled), `final: 1` after
 * `{"type":"end"}`. Errors are a JSON message with the code, then the service closes the connection.
 * Error codes used (from the service's documented list): 4001 invalid parameter, 4002 authentication failed,
 * 4006 concurrency limit, 4008 no audio for 15 s, 4010 unknown text message.
 */
export const tencentAsrPath = /^\/asr\/v2\/(\d+)$/;

export interface TencentAsrApp {
  readonly appId: string;
  readonly secretId: string;
  readonly secretKey: string;
}

export interface TencentAsrTiming {
  /** The service drops a stream that sent no audio for 15 s (error 4008). */
  readonly idleTimeoutMs: number;
  /** Default concurrent streams of one account: 20 (error 4006 beyond). */
  readonly maxConcurrentStreams: number;
  readonly partialEveryMs: number;
  readonly endpointSilenceMs: number;
}

export const defaultTencentAsrTiming: TencentAsrTiming = { idleTimeoutMs: 15_000, maxConcurrentStreams: 20, partialEveryMs: 200, endpointSilenceMs: 600 };

export interface TencentStreamRecord {
  readonly appId: string;
  readonly voiceId: string;
  audioBytes: number;
  audioFrames: number;
  endReceived: boolean;
  readonly sent: Record<string, unknown>[];
  readonly identified: string[];
  closedBy?: 'client' | 'server';
}

export const tencentErrorMessages: Record<number, string> = {
  4001: '参数不合法',
  4002: '鉴权失败',
  4006: '账号当前调用并发超限',
  4008: '客户端数据上传超时',
  4010: '客户端上传未知文本消息',
};

export class TencentAsrSimulator {
  readonly apps = new Map<string, TencentAsrApp>();
  readonly streams: TencentStreamRecord[] = [];
  private readonly live = new Map<string, number>();
  private timing: TencentAsrTiming;
  private injected: { code: number; afterBytes: number } | undefined;
  private dropAfterBytes: number | undefined;
  private stall = false;

  constructor(
    private readonly clock: Clock,
    private readonly recordings: readonly KnownRecording[],
    timing: Partial<TencentAsrTiming> = {},
  ) {
    this.timing = { ...defaultTencentAsrTiming, ...timing };
  }

  addApp(app: TencentAsrApp): void {
    this.apps.set(app.appId, app);
  }

  setTiming(timing: Partial<TencentAsrTiming>): void {
    this.timing = { ...this.timing, ...timing };
  }

  /** The next stream fails with `code` after `afterBytes` bytes of audio (e.g. 4007 audio decode failure). */
  failNextStream(code: number, afterBytes = 0): void {
    this.injected = { code, afterBytes };
  }

  /** The next connection is accepted and then never answered (a hung service). */
  stallNextStream(): void {
    this.stall = true;
  }

  /** The next stream's TCP connection is cut (no close frame) after `afterBytes` bytes of audio. */
  dropNextStream(afterBytes: number): void {
    this.dropAfterBytes = afterBytes;
  }

  accept(socket: WebSocket, request: IncomingMessage): void {
    const url = new URL(request.url ?? '/', 'http://placeholder');
    const appId = tencentAsrPath.exec(url.pathname)?.[1] ?? '';
    const params = url.searchParams;
    const voiceId = params.get('voice_id') ?? '';
    let messageNo = 0;
    const record: TencentStreamRecord = { appId, voiceId, audioBytes: 0, audioFrames: 0, endReceived: false, sent: [], identified: [] };
    const send = (body: Record<string, unknown>) => {
      const message = { code: 0, message: 'success', voice_id: voiceId, message_id: `${voiceId}_${messageNo++}_0`, ...body };
      record.sent.push(message);
      if (socket.readyState === socket.OPEN) socket.send(JSON.stringify(message));
    };
    const refuse = (code: number, detail: string) => {
      send({ code, message: `${tencentErrorMessages[code] ?? 'error'}: ${detail}` });
      record.closedBy = 'server';
      socket.close(1000);
    };
    this.streams.push(record);
    if (this.stall) {
      this.stall = false;
      socket.on('error', () => undefined);
      return;
    }

    const problem = this.checkRequest(request, appId, params);
    if (problem) return refuse(problem.code, problem.detail);
    const live = this.live.get(appId) ?? 0;
    if (live >= this.timing.maxConcurrentStreams) return refuse(4006, `limit ${this.timing.maxConcurrentStreams}`);
    this.live.set(appId, live + 1);
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      this.live.set(appId, (this.live.get(appId) ?? 1) - 1);
    };

    const injected = this.injected;
    this.injected = undefined;
    const dropAfter = this.dropAfterBytes;
    this.dropAfterBytes = undefined;
    const recogniser = new KnownAudioRecogniser(this.recordings, this.timing);
    let idle: NodeJS.Timeout | undefined;
    const armIdle = () => {
      clearTimeout(idle);
      idle = setTimeout(() => refuse(4008, `${this.timing.idleTimeoutMs / 1000} s without audio`), this.timing.idleTimeoutMs);
    };
    const deliver = (events: RecognitionEvent[]) => {
      for (const event of events) {
        const result =
          event.kind === 'begin'
            ? { slice_type: 0, index: event.index, start_time: event.startMs, end_time: event.startMs, voice_text_str: '' }
            : { slice_type: event.kind === 'end' ? 2 : 1, index: event.index, start_time: event.startMs, end_time: event.endMs, voice_text_str: event.text };
        send({ result: { ...result, word_size: 0, word_list: [] } });
      }
      record.identified.splice(0, record.identified.length, ...recogniser.identified);
    };

    send({});
    armIdle();
    socket.on('message', (data: RawData, isBinary: boolean) => {
      if (record.endReceived) return;
      if (!isBinary) {
        const text = Buffer.isBuffer(data) ? data.toString('utf8') : String(data);
        let type: unknown;
        try {
          type = (JSON.parse(text) as { type?: unknown }).type;
        } catch {
          type = undefined;
        }
        if (type !== 'end') return refuse(4010, text.slice(0, 50));
        record.endReceived = true;
        clearTimeout(idle);
        deliver(recogniser.finish());
        send({ final: 1 });
        record.closedBy = 'server';
        socket.close(1000);
        return;
      }
      const chunk = Buffer.isBuffer(data) ? data : Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data);
      record.audioBytes += chunk.length;
      record.audioFrames += 1;
      if (dropAfter !== undefined && record.audioBytes >= dropAfter) {
        clearTimeout(idle);
        socket.terminate();
        return;
      }
      if (injected && record.audioBytes >= injected.afterBytes) {
        clearTimeout(idle);
        return refuse(injected.code, 'injected by the test');
      }
      armIdle();
      deliver(recogniser.feed(chunk));
    });
    socket.on('close', () => {
      clearTimeout(idle);
      record.closedBy ??= 'client';
      release();
    });
    socket.on('error', () => undefined);
  }

  private checkRequest(request: IncomingMessage, appId: string, params: URLSearchParams): { code: number; detail: string } | undefined {
    const app = this.apps.get(appId);
    const signature = params.get('signature');
    if (!app || !signature) return { code: 4002, detail: !app ? 'unknown appid' : 'signature missing' };
    for (const required of ['secretid', 'timestamp', 'expired', 'nonce', 'engine_model_type', 'voice_id']) {
      if (!params.get(required)) return { code: 4001, detail: `${required} missing` };
    }
    if (params.get('secretid') !== app.secretId) return { code: 4002, detail: 'secretid' };
    const query = [...params.keys()]
      .filter((key) => key !== 'signature')
      .sort()
      .map((key) => `${key}=${params.get(key) ?? ''}`)
      .join('&');
    const path = new URL(request.url ?? '/', 'http://placeholder').pathname;
    const expected = createHmac('sha1', app.secretKey).update(`${request.headers.host ?? ''}${path}?${query}`).digest();
    const given = Buffer.from(signature, 'base64');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { code: 4002, detail: 'signature mismatch' };
    const nowSeconds = Math.floor(this.clock.now().getTime() / 1000);
    if (Number(params.get('expired')) < nowSeconds) return { code: 4002, detail: 'signature expired' };
    if (!/^(8k|16k)_/.test(params.get('engine_model_type') ?? '')) return { code: 4001, detail: 'engine_model_type' };
    if ((params.get('voice_format') ?? '1') !== '1') return { code: 4001, detail: 'the simulator takes voice_format=1 (pcm) only' };
    if ((params.get('voice_id') ?? '').length > 128) return { code: 4001, detail: 'voice_id too long' };
    return undefined;
  }
}
