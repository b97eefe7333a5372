import { createHmac, randomInt, randomUUID } from 'node:crypto';
import type WebSocket from 'ws';
import type { Clock } from '../../ports/clock';
import type { SpeechErrorCode, SpeechEventListener, SpeechStream, SpeechStreamOptions, SpeechToText } from '../../ports/speech-to-text';
import { openVendorStream } from './vendor-stream';

/**
 * Tencent Cloud real-time speech recognition, WebSocket API v2 (实时语音识别 websocket).
 * https://cloud.tencent.com/document/product/1093/48982
 * The URL carries the credentials and a signature; audio goes as binary frames, `{"type":"end"}` ends it, and every
 * answer is a JSON text frame `{code, message, voice_id, message_id, result?, final?}`.
 */
export interface TencentAsrConfig {
  readonly appId: string;
  readonly secretId: string;
  readonly secretKey: string;
  /** Default wss://asr.cloud.tencent.com; the simulator's URL in tests. */
  readonly endpoint?: string;
  /** 16k_zh: Mandarin, 16 kHz. */
  readonly engineModelType?: string;
  /** How long the signed URL stays valid. */
  readonly signatureTtlSeconds?: number;
  /** How long to wait for the handshake answer and, after the end of audio, for the last result. Default 10 s. */
  readonly responseTimeoutMs?: number;
  readonly clock: Clock;
}

export const tencentDefaultEndpoint = 'wss://asr.cloud.tencent.com';

/**
 * Signs the query as the API wants: every parameter except `signature`, sorted by name, appended raw to
 * `<host><path>?`; HMAC-SHA1 with the SecretKey, base64, then URL-encoded into the URL.
 */
export function signTencentAsrUrl(endpoint: string, appId: string, params: Record<string, string>, secretKey: string): string {
  const base = new URL(`${endpoint.replace(/\/$/, '')}/asr/v2/${appId}`);
  const query = Object.keys(params)
    .sort()
    .map((key) => `${key}=${params[key] ?? ''}`)
    .join('&');
  const signature = createHmac('sha1', secretKey).update(`${base.host}${base.pathname}?${query}`).digest('base64');
  const encoded = Object.keys(params)
    .sort()
    .map((key) => `${key}=${encodeURIComponent(params[key] ?? '')}`)
    .join('&');
  return `${base.protocol}//${base.host}${base.pathname}?${encoded}&signature=${encodeURIComponent(signature)}`;
}

/** The documented error codes of the real-time API. Codes not listed (5xxx) are the service's own failures. */
export function tencentErrorCode(code: number): { code: SpeechErrorCode; retryable: boolean } {
  switch (code) {
    case 4001: // 参数不合法
    case 4010: // 客户端上传未知文本消息
      return { code: 'ASR_BAD_REQUEST', retryable: false };
    case 4002: // 鉴权失败
    case 4003: // 服务未开通
      return { code: 'ASR_AUTH_FAILED', retryable: false };
    case 4004: // 无可使用的免费额度
    case 4005: // 账户欠费
      return { code: 'ASR_QUOTA_EXCEEDED', retryable: false };
    case 4006: // 并发超限
      return { code: 'ASR_QUOTA_EXCEEDED', retryable: true };
    case 4007: // 音频解码失败
      return { code: 'ASR_BAD_AUDIO', retryable: false };
    case 4008: // 客户端数据上传超时（15 s 没有音频）
      return { code: 'ASR_IDLE_TIMEOUT', retryable: true };
    case 4009: // 客户端连接断开
      return { code: 'ASR_DISCONNECTED', retryable: true };
    default:
      return { code: 'ASR_UNAVAILABLE', retryable: true };
  }
}

interface TencentMessage {
  code?: unknown;
  message?: unknown;
  voice_id?: unknown;
  final?: unknown;
  result?: {
    slice_type?: unknown;
    index?: unknown;
    start_time?: unknown;
    end_time?: unknown;
    voice_text_str?: unknown;
  };
}

function parse(data: WebSocket.RawData): TencentMessage | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.isBuffer(data) ? data.toString('utf8') : String(data));
    return typeof value === 'object' && value !== null ? (value as TencentMessage) : undefined;
  } catch {
    return undefined;
  }
}

const num = (value: unknown) => (typeof value === 'number' && Number.isFinite(value) ? value : 0);

export class TencentSpeechToText implements SpeechToText {
  readonly engine = 'tencent';

  constructor(private readonly config: TencentAsrConfig) {}

  /** The signed URL of a new stream (exported for tests of the signature). */
  streamUrl(voiceId: string): string {
    const nowSeconds = Math.floor(this.config.clock.now().getTime() / 1000);
    return signTencentAsrUrl(
      this.config.endpoint ?? tencentDefaultEndpoint,
      this.config.appId,
      {
        secretid: this.config.secretId,
        timestamp: String(nowSeconds),
        expired: String(nowSeconds + (this.config.signatureTtlSeconds ?? 600)),
        nonce: String(randomInt(1, 2_000_000_000)),
        engine_model_type: this.config.engineModelType ?? '16k_zh',
        voice_id: voiceId,
        voice_format: '1',
        needvad: '1',
      },
      this.config.secretKey,
    );
  }

  open(options: SpeechStreamOptions, listener: SpeechEventListener): Promise<SpeechStream> {
    // voice_id: unique per stream, at most 128 characters; the interview id keeps vendor logs traceable.
    const voiceId = `${options.interviewId.slice(0, 60)}-${randomUUID()}`;
    return openVendorStream({
      url: this.streamUrl(voiceId),
      listener,
      responseTimeoutMs: this.config.responseTimeoutMs,
      acceptAnswer: 'handshake',
      lastAnswer: 'final result',
      endOfAudio: () => JSON.stringify({ type: 'end' }),
      texts: {
        timeout: (what) => `腾讯云语音识别没有及时响应（${what}）。No answer in time: ${what}.`,
        connectFailed: (error) => `无法连接腾讯云语音识别。Cannot reach Tencent ASR: ${error.message}`,
        closedBeforeAccept: '腾讯云在握手前关闭了连接。Tencent closed the connection before the handshake.',
        closedBeforeLast: '与腾讯云的连接在识别结束前断开。The connection to Tencent dropped before the final result.',
      },
      onMessage: (data, isBinary, session) => {
        const message = isBinary ? undefined : parse(data);
        if (!message) return session.fail('ASR_UNAVAILABLE', 'invalid_json', '腾讯云返回了无法解析的消息。Tencent sent a message that is not JSON.', true);
        const code = num(message.code);
        if (code !== 0) {
          const mapped = tencentErrorCode(code);
          return session.fail(mapped.code, String(code), `腾讯云语音识别错误 ${code}：${String(message.message ?? '')}`, mapped.retryable);
        }
        // The first answer with code 0 is the handshake: the stream is open.
        if (!session.accepted) return session.accept();
        const result = message.result;
        if (result && typeof result.voice_text_str === 'string') {
          const sliceType = num(result.slice_type);
          const text = result.voice_text_str;
          const base = { sentenceIndex: num(result.index), text, startMs: num(result.start_time), endMs: num(result.end_time) };
          // slice_type 0: a sentence begins (often empty), 1: unstable text, 2: the sentence is settled. A settled
          // sentence without text (noise the engine took for speech) is no sentence.
          if (text.length > 0) session.emit({ type: sliceType === 2 ? 'final' : 'partial', ...base });
        }
        if (num(message.final) === 1) session.complete();
      },
    });
  }
}
