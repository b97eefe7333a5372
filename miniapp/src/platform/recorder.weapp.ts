import Taro from '@tarojs/taro';
import type { PcmRecorder } from './recorder';

export type { PcmRecorder } from './recorder';

/** The recorder manager stops by itself at 10 minutes: it is restarted a little before, from its own stop event. */
const segmentMs = 9.5 * 60_000;

/**
 * Taro.getRecorderManager with format PCM, 16 kHz, mono; onFrameRecorded hands over each frame (frameSize KB) while
 * recording. Before the 10-minute cap the recording is stopped and started again at once; the frames of the stopped
 * one all arrive before its onStop (the last one flagged isLastFrame), so nothing recorded is lost — only the
 * few milliseconds the microphone takes to restart are not recorded.
 */
export function createRecorder(): PcmRecorder {
  const manager = Taro.getRecorderManager();
  let running = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const startOne = () => {
    manager.start({ duration: 600_000, sampleRate: 16000, numberOfChannels: 1, encodeBitRate: 48000, format: 'PCM', frameSize: 4 } as Taro.RecorderManager.StartOption);
    timer = setTimeout(() => manager.stop(), segmentMs);
  };
  return {
    async start(onChunk, onError) {
      running = true;
      manager.onFrameRecorded(({ frameBuffer }) => {
        if (frameBuffer.byteLength > 0) onChunk(frameBuffer);
      });
      manager.onStop(() => {
        clearTimeout(timer);
        if (running) startOne();
      });
      manager.onInterruptionBegin?.(() => onError('录音被来电或其他应用打断，恢复后会继续。Recording was interrupted; it resumes afterwards.'));
      manager.onInterruptionEnd?.(() => {
        if (running) manager.resume();
      });
      manager.onError((e) => {
        running = false;
        clearTimeout(timer);
        onError(`无法录音（${e.errMsg}），请改用文字记录。Cannot record; please type your notes.`);
      });
      startOne();
    },
    async stop() {
      running = false;
      clearTimeout(timer);
      manager.stop();
    },
  };
}
