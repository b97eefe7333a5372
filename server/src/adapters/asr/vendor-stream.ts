import WebSocket from 'ws';
import {
  type SpeechErrorCode,
  type SpeechEvent,
  type SpeechEventListener,
  type SpeechStream,
  SpeechToTextError,
} from '../../ports/speech-to-text';

/**
 * The life of one recognition stream over a cloud vendor's WebSocket, shared by the Tencent and Alibaba adapters.
 * It opens the socket, waits (with a timeout) for the vendor to accept the stream, forwards pushed PCM as binary
 * frames, sends the vendor's end-of-audio message on finish() and waits (with a timeout) for its last answer, turns
 * a refusal before acceptance into a rejected open() and any failure after it into `error` + `closed`, and settles
 * the pending finish() when `closed` is delivered. The vendor's own wire protocol (URL, signing, message shapes,
 * error codes, texts) stays in the adapter, which reads the socket's messages through `onMessage`.
 */
export interface VendorStreamContext {
  readonly socket: WebSocket;
  /** True once the vendor accepted the stream (open() resolved). */
  readonly accepted: boolean;
  /** The vendor accepted the stream: stops the handshake timer and resolves open(). */
  accept(): void;
  /** Hands the event to the listener unless the stream is closed; `closed` also settles a pending finish(). */
  emit(event: SpeechEvent): void;
  /** Before acceptance rejects open(); after it emits `error` then `closed`. Either way drops the connection. */
  fail(code: SpeechErrorCode, vendorCode: string, message: string, retryable: boolean): void;
  /** The vendor sent its last answer: emits `closed` and closes the socket cleanly. */
  complete(): void;
}

export interface VendorStreamSpec {
  readonly url: string;
  readonly listener: SpeechEventListener;
  /** How long to wait for the acceptance and, after the end of audio, for the last answer. Default 10 s. */
  readonly responseTimeoutMs: number | undefined;
  /** Names of the awaited answers, for the timeout message. */
  readonly acceptAnswer: string;
  readonly lastAnswer: string;
  /** The text frame that tells the vendor the audio ended (built when sent). */
  endOfAudio(): string;
  /** The vendor's texts (Chinese first, then English) for the failures the lifecycle itself detects. */
  readonly texts: {
    timeout(what: string): string;
    connectFailed(error: Error): string;
    closedBeforeAccept: string;
    closedBeforeLast: string;
  };
  /** Called when the socket opened (e.g. to send the vendor's start command). */
  onOpen?(context: VendorStreamContext): void;
  /** Called for every frame the vendor sends. */
  onMessage(data: WebSocket.RawData, isBinary: boolean, context: VendorStreamContext): void;
}

export function openVendorStream(spec: VendorStreamSpec): Promise<SpeechStream> {
  const socket = new WebSocket(spec.url);
  return new Promise((resolve, reject) => {
    let accepted = false;
    let closed = false;
    let ending = false;
    let onClosed: (() => void) | undefined;
    let waiting: NodeJS.Timeout | undefined;
    const expectAnswer = (what: string) => {
      clearTimeout(waiting);
      waiting = setTimeout(() => fail('ASR_UNAVAILABLE', 'timeout', spec.texts.timeout(what), true), spec.responseTimeoutMs ?? 10_000);
    };
    const emit = (event: SpeechEvent) => {
      if (closed) return;
      if (event.type === 'closed') {
        closed = true;
        clearTimeout(waiting);
        onClosed?.();
      }
      spec.listener(event);
    };
    const fail = (code: SpeechErrorCode, vendorCode: string, message: string, retryable: boolean) => {
      if (!accepted) {
        closed = true;
        clearTimeout(waiting);
        reject(new SpeechToTextError(code, vendorCode, message, retryable));
        socket.terminate();
        return;
      }
      emit({ type: 'error', code, vendorCode, message, retryable });
      emit({ type: 'closed' });
      socket.terminate();
    };
    const stream: SpeechStream = {
      push: (pcm) => {
        if (!closed && !ending && socket.readyState === WebSocket.OPEN) socket.send(pcm);
      },
      finish: () =>
        new Promise<void>((done) => {
          if (closed) return done();
          onClosed = done;
          if (!ending) {
            ending = true;
            if (socket.readyState === WebSocket.OPEN) socket.send(spec.endOfAudio());
            expectAnswer(spec.lastAnswer);
          }
        }),
      abort: () => {
        if (closed) return;
        emit({ type: 'closed' });
        socket.terminate();
      },
    };
    const context: VendorStreamContext = {
      socket,
      get accepted() {
        return accepted;
      },
      accept: () => {
        accepted = true;
        clearTimeout(waiting);
        resolve(stream);
      },
      emit,
      fail,
      complete: () => {
        emit({ type: 'closed' });
        socket.close(1000);
      },
    };
    expectAnswer(spec.acceptAnswer);
    const { onOpen } = spec;
    if (onOpen) socket.on('open', () => onOpen(context));
    socket.on('message', (data, isBinary) => spec.onMessage(data, isBinary, context));
    socket.on('error', (error) => {
      if (!accepted) fail('ASR_UNAVAILABLE', 'connect', spec.texts.connectFailed(error), true);
    });
    socket.on('close', () => {
      if (!accepted) return fail('ASR_UNAVAILABLE', 'closed', spec.texts.closedBeforeAccept, true);
      if (!closed) fail('ASR_DISCONNECTED', 'closed', spec.texts.closedBeforeLast, true);
    });
  });
}
