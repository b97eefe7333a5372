/**
 * The microphone as 16 kHz mono PCM16LE chunks, for live notes. The platform builds replace this file
 * (recorder.weapp.ts: the mini-program's recorder manager; recorder.h5.ts: getUserMedia with resampling — never
 * Taro's H5 recorder stand-in, which resolves without recording anything).
 */
export interface PcmRecorder {
  /**
   * Starts the microphone; `onChunk` gets PCM16LE at 16 kHz mono. `onProblem` reports trouble while recording:
   * `stopped` false is a passing notice (a phone call paused the recording; `message` null when it resumed),
   * `stopped` true means the recording ended for good (microphone lost) and the stream should be finished.
   * Resolves once recording has started; rejects (with a message to show) when it cannot start.
   */
  start(onChunk: (pcm: ArrayBuffer) => void, onProblem: (message: string | null, stopped: boolean) => void): Promise<void>;
  /** Stops the microphone; resolves after the last chunk was handed to `onChunk` (so it can still be sent). */
  stop(): Promise<void>;
}

export function createRecorder(): PcmRecorder {
  return {
    start: async () => {
      throw new Error('此平台不能录音，请用文字记录。This platform cannot record; please type your notes.');
    },
    stop: async () => undefined,
  };
}
