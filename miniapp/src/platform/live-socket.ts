import Taro from '@tarojs/taro';

/** What the live-notes socket sends back (see the server's live-notes protocol). */
export type LiveMessage =
  | { type: 'ready'; nextSeq: number }
  | { type: 'ack'; seq: number }
  | { type: 'partial'; text: string; startMs: number }
  | { type: 'final'; segmentId: string; text: string; startMs: number; endMs: number }
  | { type: 'prompt'; [key: string]: unknown }
  | { type: 'gap'; [key: string]: unknown }
  | { type: 'error'; code: string; message: string }
  | { type: 'closed' };

export interface LiveHandlers {
  onMessage(message: LiveMessage): void;
  /** 'connecting' | 'live' | 'reconnecting' | 'closed', for the page to show. */
  onState(state: LiveState): void;
}
export type LiveState = 'connecting' | 'live' | 'reconnecting' | 'closed';

/** Errors after which the server closes the socket for good: no reconnecting. */
const final = new Set(['UNAUTHENTICATED', 'FORBIDDEN', 'CONSENT_REQUIRED', 'INVALID_TRANSITION', 'VALIDATION_FAILED', 'REPLACED', 'ASR_NOT_CONFIGURED']);

/** Frames kept for resending: up to five minutes of 16 kHz PCM16 (older ones are dropped, the server reports a gap). */
const maxBufferedBytes = 5 * 60 * 16_000 * 2;

/**
 * Streams PCM16LE frames to /api/interviews/:id/live-notes over Taro.connectSocket (a real WebSocket on H5 and in the
 * mini-program). Each frame is a 4-byte big-endian sequence number + the PCM; frames stay in a buffer until the
 * server acknowledges them, and after a dropped connection the new hello asks to resume, the server answers with the
 * next sequence it needs, and everything from there is sent again.
 */
export class LiveNotesStream {
  private socket: Taro.SocketTask | null = null;
  private ready = false;
  private nextSeq = 0;
  private buffer: { seq: number; frame: ArrayBuffer }[] = [];
  private bufferedBytes = 0;
  private ending = false;
  private stopped = false;
  private retries = 0;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly interviewId: string,
    private readonly token: string,
    private readonly handlers: LiveHandlers,
  ) {}

  async connect(): Promise<void> {
    if (this.stopped) return;
    this.handlers.onState(this.retries === 0 ? 'connecting' : 'reconnecting');
    const socket = await Taro.connectSocket({ url: liveNotesUrl(this.interviewId) });
    if (this.stopped) {
      void socket.close({});
      return;
    }
    this.socket = socket;
    socket.onOpen(() => {
      const resumeFromSeq = this.buffer[0]?.seq ?? (this.nextSeq > 0 ? this.nextSeq : undefined);
      void socket.send({ data: JSON.stringify({ type: 'hello', token: this.token, sampleRate: 16000, ...(resumeFromSeq !== undefined && { resumeFromSeq }) }) });
    });
    socket.onMessage(({ data }) => {
      if (typeof data !== 'string') return;
      let message: LiveMessage;
      try {
        message = JSON.parse(data) as LiveMessage;
      } catch {
        return;
      }
      this.receive(message);
    });
    socket.onClose(() => this.dropped(socket));
    socket.onError(() => this.dropped(socket));
  }

  /** One chunk of PCM16LE from the recorder. */
  push(pcm: ArrayBuffer): void {
    if (this.ending || this.stopped) return;
    const seq = this.nextSeq++;
    const frame = new Uint8Array(4 + pcm.byteLength);
    new DataView(frame.buffer).setUint32(0, seq, false);
    frame.set(new Uint8Array(pcm), 4);
    this.buffer.push({ seq, frame: frame.buffer });
    this.bufferedBytes += frame.byteLength;
    while (this.bufferedBytes > maxBufferedBytes && this.buffer.length > 1) this.bufferedBytes -= this.buffer.shift()!.frame.byteLength;
    if (this.ready) void this.socket?.send({ data: frame.buffer });
  }

  /**
   * Asks the server to finish (it transcribes what it has and answers closed). While the connection is down the
   * request waits for the reconnect: the frames still buffered are resent first, then `end` (closing at once would
   * throw away the audio recorded during the outage). Only a stream that never sent a frame closes straight away.
   */
  end(): void {
    if (this.ending || this.stopped) return;
    this.ending = true;
    if (this.ready) void this.socket?.send({ data: JSON.stringify({ type: 'end' }) });
    else if (this.nextSeq === 0) this.close();
  }

  close(): void {
    this.stopped = true;
    this.ready = false;
    // A reconnect already scheduled must not open a new connection after this.
    clearTimeout(this.retryTimer);
    void this.socket?.close({});
    this.handlers.onState('closed');
  }

  private receive(message: LiveMessage): void {
    if (message.type === 'ready') {
      this.ready = true;
      this.retries = 0;
      this.handlers.onState('live');
      this.acknowledge(message.nextSeq - 1);
      // Everything the server has not got yet, in order.
      for (const { frame } of this.buffer) void this.socket?.send({ data: frame });
      if (this.ending) void this.socket?.send({ data: JSON.stringify({ type: 'end' }) });
    } else if (message.type === 'ack') {
      this.acknowledge(message.seq);
    } else if (message.type === 'closed') {
      this.close();
    } else if (message.type === 'error' && final.has(message.code)) {
      // Nothing a retry would change (or another connection took over).
      this.stopped = true;
      this.handlers.onState('closed');
    }
    this.handlers.onMessage(message);
  }

  private acknowledge(seq: number): void {
    while (this.buffer.length > 0 && this.buffer[0]!.seq <= seq) this.bufferedBytes -= this.buffer.shift()!.frame.byteLength;
  }

  private dropped(socket: Taro.SocketTask): void {
    if (socket !== this.socket) return;
    this.ready = false;
    this.socket = null;
    this.retry();
  }

  private retry(): void {
    if (this.stopped) return;
    this.retries += 1;
    this.handlers.onState('reconnecting');
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => void this.connect().catch(() => this.retry()), Math.min(10_000, 500 * 2 ** Math.min(this.retries, 5)));
  }
}

function liveNotesUrl(interviewId: string): string {
  const base = HB_API_URL !== '' ? HB_API_URL : typeof window !== 'undefined' ? window.location.origin : '';
  return `${base.replace(/^http/, 'ws')}/api/interviews/${encodeURIComponent(interviewId)}/live-notes`;
}
