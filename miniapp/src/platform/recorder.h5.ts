import type { PcmRecorder } from './recorder';

export type { PcmRecorder } from './recorder';

const targetRate = 16_000;

/**
 * getUserMedia (mono, the browser's echo cancellation and noise suppression) into a ScriptProcessor, resampled from
 * the device rate (usually 48 kHz) to 16 kHz by linear interpolation that carries its position across chunks, then
 * PCM16LE. ScriptProcessor rather than an AudioWorklet: it runs everywhere (WeCom's and DingTalk's webviews
 * included) without a separate module file.
 */
export function createRecorder(): PcmRecorder {
  let stream: MediaStream | null = null;
  let context: AudioContext | null = null;
  let node: ScriptProcessorNode | null = null;
  return {
    async start(onChunk, onError) {
      if (!navigator.mediaDevices?.getUserMedia) throw new Error('此浏览器不能录音（需要 HTTPS），请用文字记录。This browser cannot record (HTTPS needed); please type your notes.');
      try {
        stream = await navigator.mediaDevices.getUserMedia({ audio: { channelCount: 1, echoCancellation: true, noiseSuppression: true } });
      } catch {
        throw new Error('没有麦克风权限，请用文字记录。No microphone permission; please type your notes.');
      }
      context = new AudioContext();
      const source = context.createMediaStreamSource(stream);
      node = context.createScriptProcessor(4096, 1, 1);
      const resample = resampler(context.sampleRate, targetRate);
      node.onaudioprocess = (event) => {
        const pcm = resample(event.inputBuffer.getChannelData(0));
        if (pcm.byteLength > 0) onChunk(pcm);
      };
      source.connect(node);
      node.connect(context.destination);
      stream.getAudioTracks()[0]?.addEventListener('ended', () => onError('麦克风已断开，请用文字记录。The microphone was disconnected; please type your notes.', true));
      if (context.state === 'suspended') await context.resume();
    },
    async stop() {
      node?.disconnect();
      stream?.getTracks().forEach((t) => t.stop());
      await context?.close().catch(() => undefined);
      node = null;
      stream = null;
      context = null;
    },
  };
}

/** Float samples at `from` Hz → PCM16LE at `to` Hz; keeps the fractional position and the last sample between calls. */
export function resampler(from: number, to: number): (input: Float32Array) => ArrayBuffer {
  const step = from / to;
  let position = 0; // in input samples, relative to the start of the next input chunk (may be negative: -1 is `last`)
  let last = 0;
  return (input) => {
    const out: number[] = [];
    while (position < input.length - 1) {
      const i = Math.floor(position);
      const frac = position - i;
      const a = i < 0 ? last : input[i]!;
      const b = input[i + 1]!;
      out.push(a + (b - a) * frac);
      position += step;
    }
    position -= input.length;
    last = input[input.length - 1] ?? last;
    const view = new DataView(new ArrayBuffer(out.length * 2));
    out.forEach((s, n) => view.setInt16(n * 2, Math.max(-1, Math.min(1, s)) * 0x7fff, true));
    return view.buffer;
  };
}
