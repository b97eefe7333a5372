import Taro from '@tarojs/taro';
import type { PcmRecorder } from './recorder';

export type { PcmRecorder } from './recorder';

/** The recorder manager stops by itself after 10 minutes (`duration` at most 600 000 ms): it is restarted before. */
const segmentMs = 9.5 * 60_000;
/** stop() gives up waiting for the recorder's stop event after this long (it never hangs the page). */
const stopWaitMs = 3000;

const failed = (errMsg: string) => `无法录音（${errMsg}），请改用文字记录。Cannot record (${errMsg}); please type your notes.`;

/**
 * Taro.getRecorderManager with format PCM, 16 kHz, mono; onFrameRecorded hands over each frame (frameSize 4 KB =
 * 128 ms) while recording. Before the 10-minute cap the recording is stopped and, from its own stop event, started
 * again at once (the cap itself, should the timer be late, ends in the same stop event and the same restart): the
 * frames of the stopped recording all arrive before its onStop (the last one flagged isLastFrame), so nothing recorded
 * is lost — only the moment the microphone takes to restart is not recorded.
 *
 * start() resolves when the recorder has started and rejects when it cannot (no microphone permission, bad options);
 * stop() resolves after the last frame was handed over. The recorder manager is one for the whole mini-program and
 * each `on…` call replaces the previous listener, so every start() installs its own.
 */
export function createRecorder(): PcmRecorder {
  const manager = Taro.getRecorderManager();
  /** The user wants audio (between start() and stop()). */
  let running = false;
  /** A recording of the manager is going: started and not yet asked to stop. */
  let active = false;
  /** A stop was asked (restart or stop()) and its onStop has not come yet. */
  let stopping = false;
  /** A phone call has the microphone: WeChat pauses recording and refuses to start until it ends. */
  let interrupted = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let starting: { resolve(): void; reject(error: Error): void } | undefined;
  let stopped: (() => void) | undefined;

  const startOne = () => {
    active = true;
    manager.start({ duration: 600_000, sampleRate: 16000, numberOfChannels: 1, encodeBitRate: 48000, format: 'PCM', frameSize: 4 } as Taro.RecorderManager.StartOption);
    timer = setTimeout(() => {
      // While interrupted the recording is paused; it restarts at the cap instead (paused time does not count).
      if (!active || stopping || interrupted) return;
      stopping = true;
      manager.stop();
    }, segmentMs);
  };
  const finished = () => {
    const resolve = stopped;
    stopped = undefined;
    resolve?.();
  };

  return {
    start(onChunk, onError) {
      if (running) return Promise.reject(new Error('录音已在进行。Already recording.'));
      running = true;
      return new Promise<void>((resolve, reject) => {
        starting = { resolve, reject };
        manager.onStart(() => {
          starting?.resolve();
          starting = undefined;
        });
        manager.onFrameRecorded(({ frameBuffer }) => {
          if (frameBuffer.byteLength > 0) onChunk(frameBuffer);
        });
        manager.onStop(() => {
          clearTimeout(timer);
          active = false;
          stopping = false;
          if (!running) return finished();
          // The 9.5-minute restart, or the 10-minute cap: the next recording continues the same stream of frames.
          if (!interrupted) startOne();
        });
        manager.onInterruptionBegin?.(() => {
          interrupted = true;
          onError('录音被来电或其他应用打断，恢复后会继续。Recording was interrupted; it resumes afterwards.', false);
        });
        manager.onInterruptionEnd?.(() => {
          interrupted = false;
          if (!running) return;
          onError(null, false);
          if (active) manager.resume();
          else if (!stopping) startOne();
        });
        manager.onError((e) => {
          clearTimeout(timer);
          active = false;
          stopping = false;
          const message = failed(e.errMsg);
          if (starting) {
            running = false;
            starting.reject(new Error(message));
            starting = undefined;
          } else if (running) {
            running = false;
            onError(message, true);
          }
          finished();
        });
        startOne();
      });
    },
    stop() {
      running = false;
      clearTimeout(timer);
      if (!active && !stopping) return Promise.resolve();
      return new Promise<void>((resolve) => {
        const safety = setTimeout(finished, stopWaitMs);
        stopped = () => {
          clearTimeout(safety);
          resolve();
        };
        // A restart already asked the recorder to stop: its onStop ends the recording (running is false now).
        if (!stopping) {
          stopping = true;
          manager.stop();
        }
      });
    },
  };
}
