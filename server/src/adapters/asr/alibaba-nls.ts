import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import type { Clock } from '../../ports/clock';
import {
  type SpeechErrorCode,
  type SpeechEventListener,
  type SpeechStream,
  type SpeechStreamOptions,
  type SpeechToText,
  SpeechToTextError,
} from '../../ports/speech-to-text';
import { openVendorStream } from './vendor-stream';

/**
 * Alibaba Cloud Intelligent Speech Interaction (智能语音交互), real-time transcription over WebSocket.
 * https://help.aliyun.com/zh/isi/developer-reference/websocket
 * A temporary token (CreateToken, signed with the AccessKey) goes in the gateway URL; commands are JSON text frames
 * `{header: {message_id, task_id, namespace: "SpeechTranscriber", name, appkey}, payload}`, audio goes as binary
 * frames, events come back with `header.status` (20000000 = success) and `header.name`.
 */
export interface AlibabaNlsConfig {
  readonly accessKeyId: string;
  readonly accessKeySecret: string;
  readonly appKey: string;
  /** Default https://nls-meta.cn-shanghai.aliyuncs.com/ (CreateToken). */
  readonly tokenEndpoint?: string;
  /** Default wss://nls-gateway-cn-shanghai.aliyuncs.com/ws/v1. */
  readonly gatewayUrl?: string;
  readonly regionId?: string;
  /** How long to wait for the handshake answer and, after the end of audio, for the last result. Default 10 s. */
  readonly responseTimeoutMs?: number;
  readonly clock: Clock;
}

export const alibabaDefaultTokenEndpoint = 'https://nls-meta.cn-shanghai.aliyuncs.com/';
export const alibabaDefaultGatewayUrl = 'wss://nls-gateway-cn-shanghai.aliyuncs.com/ws/v1';
const successStatus = 20_000_000;

/** RFC 3986 percent-encoding as Alibaba's POP signature wants it (space as %20, `*` and `~` handled). */
export function popEncode(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** POP RPC signature (SignatureVersion 1.0): HMAC-SHA1 over `GET&%2F&<encoded sorted query>` with `secret&`. */
export function popSignature(method: string, params: Record<string, string>, accessKeySecret: string): string {
  const canonical = Object.keys(params)
    .sort()
    .map((key) => `${popEncode(key)}=${popEncode(params[key] ?? '')}`)
    .join('&');
  return createHmac('sha1', `${accessKeySecret}&`).update(`${method}&${popEncode('/')}&${popEncode(canonical)}`).digest('base64');
}

/** Maps NLS status codes (header.status) to ours. https://help.aliyun.com/document_detail/459864.html */
export function nlsErrorCode(status: number): { code: SpeechErrorCode; retryable: boolean } {
  if (status === 40_000_001 || status === 40_020_105 || status === 40_020_106) return { code: 'ASR_AUTH_FAILED', retryable: false };
  if (status === 40_000_004) return { code: 'ASR_IDLE_TIMEOUT', retryable: true };
  if (status === 40_000_005) return { code: 'ASR_QUOTA_EXCEEDED', retryable: true };
  if (status === 40_000_009 || status === 41_010_101) return { code: 'ASR_BAD_AUDIO', retryable: false };
  if (status >= 40_000_000 && status < 50_000_000) return { code: 'ASR_BAD_REQUEST', retryable: false };
  return { code: 'ASR_UNAVAILABLE', retryable: true };
}

const hex32 = () => randomBytes(16).toString('hex');

interface NlsEvent {
  header?: { name?: unknown; status?: unknown; status_text?: unknown; task_id?: unknown };
  payload?: { index?: unknown; time?: unknown; begin_time?: unknown; result?: unknown };
}

const num = (value: unknown) => (typeof value === 'number' && Number.isFinite(value) ? value : 0);

export class AlibabaSpeechToText implements SpeechToText {
  readonly engine = 'alibaba';
  private token: { id: string; expiresAtMs: number } | undefined;
  private pendingToken: Promise<string> | undefined;

  constructor(private readonly config: AlibabaNlsConfig) {}

  /**
   * A token from CreateToken, reused until five minutes before it expires (tokens live about a day).
   * https://help.aliyun.com/zh/isi/getting-started/obtain-an-access-token-by-calling-the-createtoken-operation
   */
  async accessToken(): Promise<string> {
    const nowMs = this.config.clock.now().getTime();
    if (this.token && this.token.expiresAtMs - 5 * 60_000 > nowMs) return this.token.id;
    this.pendingToken ??= this.createToken().finally(() => {
      this.pendingToken = undefined;
    });
    return this.pendingToken;
  }

  private async createToken(): Promise<string> {
    const params: Record<string, string> = {
      AccessKeyId: this.config.accessKeyId,
      Action: 'CreateToken',
      Format: 'JSON',
      RegionId: this.config.regionId ?? 'cn-shanghai',
      SignatureMethod: 'HMAC-SHA1',
      SignatureNonce: randomUUID(),
      SignatureVersion: '1.0',
      Timestamp: this.config.clock.now().toISOString().replace(/\.\d{3}Z$/, 'Z'),
      Version: '2019-02-28',
    };
    const signature = popSignature('GET', params, this.config.accessKeySecret);
    const query = Object.keys(params)
      .sort()
      .map((key) => `${popEncode(key)}=${popEncode(params[key] ?? '')}`)
      .join('&');
    let response: Response;
    try {
      response = await fetch(`${this.config.tokenEndpoint ?? alibabaDefaultTokenEndpoint}?${query}&Signature=${popEncode(signature)}`, {
        signal: AbortSignal.timeout(10_000),
      });
    } catch (error) {
      throw new SpeechToTextError('ASR_UNAVAILABLE', 'token_fetch', `无法获取阿里云语音令牌。Cannot reach CreateToken: ${(error as Error).message}`, true);
    }
    const body = (await response.json().catch(() => ({}))) as { Token?: { Id?: unknown; ExpireTime?: unknown }; Code?: unknown; Message?: unknown };
    if (!response.ok || typeof body.Token?.Id !== 'string') {
      const code = typeof body.Code === 'string' ? body.Code : `http_${response.status}`;
      const auth = /AccessKey|Signature|Forbidden/i.test(code) || response.status === 401 || response.status === 403 || response.status === 404;
      throw new SpeechToTextError(
        auth ? 'ASR_AUTH_FAILED' : 'ASR_UNAVAILABLE',
        code,
        `阿里云拒绝签发语音令牌（${code}）。CreateToken failed: ${String(body.Message ?? response.statusText)}`,
        !auth,
      );
    }
    this.token = { id: body.Token.Id, expiresAtMs: num(body.Token.ExpireTime) * 1000 };
    return body.Token.Id;
  }

  async open(_options: SpeechStreamOptions, listener: SpeechEventListener): Promise<SpeechStream> {
    try {
      return await this.openWithToken(await this.accessToken(), listener);
    } catch (error) {
      // A token revoked or expired early (40000001): get a new one once, then give up.
      if (!(error instanceof SpeechToTextError) || error.vendorCode !== '40000001') throw error;
      this.token = undefined;
      return this.openWithToken(await this.accessToken(), listener);
    }
  }

  private openWithToken(token: string, listener: SpeechEventListener): Promise<SpeechStream> {
    const gateway = this.config.gatewayUrl ?? alibabaDefaultGatewayUrl;
    const taskId = hex32();
    const header = (name: string) => ({ message_id: hex32(), task_id: taskId, namespace: 'SpeechTranscriber', name, appkey: this.config.appKey });
    const sentenceStarts = new Map<number, number>();
    return openVendorStream({
      url: `${gateway}?token=${encodeURIComponent(token)}`,
      listener,
      responseTimeoutMs: this.config.responseTimeoutMs,
      acceptAnswer: 'TranscriptionStarted',
      lastAnswer: 'TranscriptionCompleted',
      endOfAudio: () => JSON.stringify({ header: header('StopTranscription') }),
      texts: {
        timeout: (what) => `阿里云语音识别没有及时响应（${what}）。No answer in time: ${what}.`,
        connectFailed: (error) => `无法连接阿里云语音网关。Cannot reach the NLS gateway: ${error.message}`,
        closedBeforeAccept: '阿里云在识别开始前关闭了连接。The gateway closed before TranscriptionStarted.',
        closedBeforeLast: '与阿里云的连接在识别结束前断开。The connection dropped before TranscriptionCompleted.',
      },
      onOpen: (session) => {
        session.socket.send(
          JSON.stringify({
            header: header('StartTranscription'),
            payload: {
              format: 'pcm',
              sample_rate: 16_000,
              enable_intermediate_result: true,
              enable_punctuation_prediction: true,
              enable_inverse_text_normalization: true,
            },
          }),
        );
      },
      onMessage: (data, isBinary, session) => {
        let event: NlsEvent | undefined;
        try {
          event = isBinary ? undefined : (JSON.parse(data.toString()) as NlsEvent);
        } catch {
          event = undefined;
        }
        const name = event?.header?.name;
        const status = num(event?.header?.status);
        if (!event || typeof name !== 'string') return session.fail('ASR_UNAVAILABLE', 'invalid_json', '阿里云返回了无法解析的消息。Alibaba sent an unreadable event.', true);
        if (name === 'TaskFailed' || status !== successStatus) {
          const mapped = nlsErrorCode(status);
          return session.fail(mapped.code, String(status), `阿里云语音识别错误 ${status}：${String(event.header?.status_text ?? '')}`, mapped.retryable);
        }
        const payload = event.payload ?? {};
        const sentenceIndex = num(payload.index);
        const text = typeof payload.result === 'string' ? payload.result : '';
        switch (name) {
          case 'TranscriptionStarted':
            session.accept();
            return;
          case 'TranscriptionResultChanged':
            // A partial carries only `time`, the end of the audio heard so far; the start came with SentenceBegin.
            if (text) session.emit({ type: 'partial', sentenceIndex, text, startMs: sentenceStarts.get(sentenceIndex) ?? 0, endMs: num(payload.time) });
            return;
          case 'SentenceBegin':
            sentenceStarts.set(sentenceIndex, num(payload.time));
            return;
          case 'SentenceEnd':
            // A sentence without text (noise taken for speech) is no sentence.
            if (text) session.emit({ type: 'final', sentenceIndex, text, startMs: num(payload.begin_time), endMs: num(payload.time) });
            sentenceStarts.delete(sentenceIndex);
            return;
          case 'TranscriptionCompleted':
            session.complete();
            return;
          default:
            return;
        }
      },
    });
  }
}
