import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { findModelFiles, LocalSpeechToText } from '../../server/src/adapters/asr/local-sherpa';
import { sileroVoiceActivity } from '../../server/src/adapters/asr/vad';
import { fetchAsrModel } from '../../server/src/cli/fetch-asr-model';
import { LiveTranscriber, type TranscriptEvent } from '../../server/src/features/live-notes/transcriber';
import { SpeechToTextError } from '../../server/src/ports/speech-to-text';
import { composeRecording, framesOf } from '../simulator/src/asr/recordings';

const modelDir = process.env.HB_ASR_LOCAL_MODEL_DIR;
const work = mkdtempSync(join(tmpdir(), 'hb-asr-local-'));

afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('the on-premises engine without a model', () => {
  it('refuses to open a stream with ASR_UNAVAILABLE / model_missing instead of pretending', async () => {
    const engine = new LocalSpeechToText({ modelDir: join(work, 'no-model-here') });
    const error = await engine.open({ interviewId: 'iv', sampleRateHz: 16_000 }, () => undefined).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SpeechToTextError);
    expect(error).toMatchObject({ code: 'ASR_UNAVAILABLE', vendorCode: 'model_missing', retryable: false });
  });
});

describe('npm run asr:fetch-model', () => {
  let server: Server;
  let url = '';
  let archiveSha = '';
  beforeAll(async () => {
    // A stand-in archive with the layout of the k2-fsa release (file names only; no model is faked for recognition).
    const source = join(work, 'src', 'sherpa-onnx-streaming-zipformer-zh-14M-2023-02-23');
    mkdirSync(source, { recursive: true });
    for (const name of ['encoder-epoch-99-avg-1.int8.onnx', 'decoder-epoch-99-avg-1.onnx', 'joiner-epoch-99-avg-1.int8.onnx', 'tokens.txt']) {
      writeFileSync(join(source, name), name);
    }
    const archive = join(work, 'model.tar.bz2');
    expect(spawnSync('tar', ['-cjf', archive, '-C', join(work, 'src'), 'sherpa-onnx-streaming-zipformer-zh-14M-2023-02-23']).status).toBe(0);
    const bytes = readFileSync(archive);
    archiveSha = createHash('sha256').update(bytes).digest('hex');
    server = createServer((_req, res) => res.end(bytes));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/model.tar.bz2`;
    vi.spyOn(console, 'log').mockImplementation(() => undefined);
    vi.spyOn(console, 'error').mockImplementation(() => undefined);
  });
  afterAll(async () => {
    vi.restoreAllMocks();
    await new Promise((resolve) => server.close(resolve));
  });

  it('without --sha256 prints the checksum it computed and installs nothing', async () => {
    const dir = join(work, 'model-a');
    expect(await fetchAsrModel(['--dir', dir, '--url', url])).toBe(3);
    expect(console.log).toHaveBeenCalledWith(`SHA-256 ${archiveSha}`);
    expect(existsSync(dir)).toBe(false);
  });

  it('discards a download whose checksum differs', async () => {
    const dir = join(work, 'model-b');
    expect(await fetchAsrModel(['--dir', dir, '--url', url, '--sha256', 'a'.repeat(64)])).toBe(3);
    expect(existsSync(dir)).toBe(false);
  });

  it('installs the model when the checksum matches, where HB_ASR_LOCAL_MODEL_DIR will point', async () => {
    const dir = join(work, 'model-c');
    expect(await fetchAsrModel(['--dir', dir, '--url', url, '--sha256', archiveSha])).toBe(0);
    expect(findModelFiles(dir)).toEqual({
      encoder: join(dir, 'encoder-epoch-99-avg-1.int8.onnx'),
      decoder: join(dir, 'decoder-epoch-99-avg-1.onnx'),
      joiner: join(dir, 'joiner-epoch-99-avg-1.int8.onnx'),
      tokens: join(dir, 'tokens.txt'),
    });
  });

  it('refuses a malformed checksum as a usage error', async () => {
    expect(await fetchAsrModel(['--dir', join(work, 'model-d'), '--sha256', 'xyz'])).toBe(2);
  });
});

describe.skipIf(!modelDir)('the on-premises engine with the model in HB_ASR_LOCAL_MODEL_DIR (skipped when it is not set)', () => {
  it('recognises Chinese text in the synthetic answers through the real VAD, faster than real time', async () => {
    const engine = new LocalSpeechToText({ modelDir: modelDir ?? '' });
    const interview = composeRecording(['star-quantified', 'closing'], 1500);
    const events: TranscriptEvent[] = [];
    const transcriber = new LiveTranscriber({ interviewId: 'iv-local', speech: engine, voiceActivity: sileroVoiceActivity(), onEvent: (e) => events.push(e) });
    const started = performance.now();
    framesOf(interview.pcm, 100).forEach((pcm, seq) => transcriber.acceptFrame({ seq, pcm }));
    await transcriber.finish();
    const realTimeFactor = (performance.now() - started) / ((interview.pcm.length / 32_000) * 1000);
    const finals = events.flatMap((e) => (e.type === 'final' ? [e.text] : []));
    // espeak-ng's robotic voice is hard for a model trained on people: require Chinese text, not the exact sentence.
    expect(finals.join('')).toMatch(/[\u4e00-\u9fff]/);
    expect(realTimeFactor).toBeLessThan(1);
    console.info(`local engine: real-time factor ${realTimeFactor.toFixed(3)}; finals: ${finals.join(' | ')}`);
  });
});
