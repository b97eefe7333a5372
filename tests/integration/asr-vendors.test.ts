import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from '@hirebridge/simulator';
import { AlibabaSpeechToText, popSignature } from '../../server/src/adapters/asr/alibaba-nls';
import { createSpeechToText, SpeechEngineConfigError, type SpeechEngineSettings } from '../../server/src/adapters/asr/speech-engine';
import { signTencentAsrUrl, TencentSpeechToText } from '../../server/src/adapters/asr/tencent-asr';
import { fixedClock, systemClock } from '../../server/src/ports/clock';
import { type SpeechEvent, type SpeechStream, type SpeechToText, SpeechToTextError } from '../../server/src/ports/speech-to-text';
import { loadKnownRecordings } from '../simulator/src/asr/known-audio';
import { framesOf } from '../simulator/src/asr/recordings';

const recordings = loadKnownRecordings();
const fixture = (id: string) => {
  const found = recordings.find((r) => r.id === id);
  if (!found) throw new Error(`fixture ${id} missing`);
  return found;
};
const tencentApp = { appId: '1300000001', secretId: 'AKIDsimulated0001', secretKey: 'tencent-secret-key-0001' };
const alibabaAccount = { accessKeyId: 'LTAIsimulated0001', accessKeySecret: 'alibaba-secret-0001', appKeys: ['appkey-hirebridge-01'] };

let sim: Simulator;

beforeAll(async () => {
  sim = await startSimulator();
  sim.asr.tencent.addApp(tencentApp);
  sim.asr.alibaba.addAccount(alibabaAccount);
});
afterAll(async () => {
  await sim.stop();
});

const tencent = (overrides: Partial<ConstructorParameters<typeof TencentSpeechToText>[0]> = {}) =>
  new TencentSpeechToText({ ...tencentApp, endpoint: sim.asr.endpoints.tencent, clock: systemClock, ...overrides });
const alibaba = (overrides: Partial<ConstructorParameters<typeof AlibabaSpeechToText>[0]> = {}) =>
  new AlibabaSpeechToText({
    accessKeyId: alibabaAccount.accessKeyId,
    accessKeySecret: alibabaAccount.accessKeySecret,
    appKey: 'appkey-hirebridge-01',
    tokenEndpoint: sim.asr.endpoints.alibabaToken,
    gatewayUrl: sim.asr.endpoints.alibabaGateway,
    clock: systemClock,
    ...overrides,
  });

async function openCollecting(engine: SpeechToText): Promise<{ stream: SpeechStream; events: SpeechEvent[]; closed: Promise<void> }> {
  const events: SpeechEvent[] = [];
  let markClosed: () => void = () => undefined;
  const closed = new Promise<void>((resolve) => {
    markClosed = resolve;
  });
  const stream = await engine.open({ interviewId: 'iv-test', sampleRateHz: 16_000 }, (event) => {
    events.push(event);
    if (event.type === 'closed') markClosed();
  });
  return { stream, events, closed };
}

async function stream(engine: SpeechToText, pcm: Buffer, frameMs = 40): Promise<SpeechEvent[]> {
  const { stream: s, events } = await openCollecting(engine);
  for (const frame of framesOf(pcm, frameMs)) {
    s.push(frame);
    await new Promise((resolve) => setImmediate(resolve));
  }
  await s.finish();
  return events;
}

async function openError(promise: Promise<unknown>): Promise<SpeechToTextError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(SpeechToTextError);
  return error as SpeechToTextError;
}

const engines: [string, () => SpeechToText][] = [
  ['Tencent real-time ASR', () => tencent()],
  ['Alibaba NLS', () => alibaba()],
];

describe.each(engines)('%s against the simulator', (_name, make) => {
  it('reveals the fixture sentence progressively and settles it with times from the start of the stream', async () => {
    const recording = fixture('star-quantified');
    const events = await stream(make(), recording.pcm);
    const partials = events.filter((e) => e.type === 'partial');
    const finals = events.filter((e) => e.type === 'final');
    expect(finals).toHaveLength(1);
    expect(finals[0]).toMatchObject({ type: 'final', text: recording.transcript });
    expect(partials.length).toBeGreaterThan(5);
    // Partials grow: each is a prefix of the next and of the final text.
    for (const [i, p] of partials.entries()) {
      if (p.type !== 'partial') continue;
      expect(recording.transcript.startsWith(p.text)).toBe(true);
      const next = partials[i + 1];
      if (next?.type === 'partial') expect(next.text.length).toBeGreaterThanOrEqual(p.text.length);
    }
    const final = finals[0];
    if (final?.type !== 'final') throw new Error('no final');
    const speechStartMs = (recording.speechStartSample * 1000) / 16_000;
    const speechEndMs = (recording.speechEndSample * 1000) / 16_000;
    expect(Math.abs(final.startMs - speechStartMs)).toBeLessThan(50);
    expect(Math.abs(final.endMs - speechEndMs)).toBeLessThan(50);
    expect(events.at(-1)).toEqual({ type: 'closed' });
  });

  it('gives no text for audio it does not know (it never invents words) and still closes cleanly', async () => {
    let seed = 7;
    const noise = Buffer.alloc(16_000 * 2 * 2);
    for (let i = 0; i < noise.length / 2; i += 1) {
      seed = (seed * 1_103_515_245 + 12_345) & 0x7fffffff;
      noise.writeInt16LE((seed % 16_000) - 8_000, i * 2);
    }
    const events = await stream(make(), noise);
    expect(events.filter((e) => e.type === 'partial' || e.type === 'final')).toEqual([]);
    expect(events).toEqual([{ type: 'closed' }]);
  });
});

describe('Tencent real-time ASR (WebSocket v2)', () => {
  it('signs host + path + sorted raw query with HMAC-SHA1 and puts the URL-encoded signature last', () => {
    const url = signTencentAsrUrl('wss://asr.cloud.tencent.com', '1259228442', { voice_id: 'a b', secretid: 'AKID', timestamp: '1', nonce: '2', expired: '3', engine_model_type: '16k_zh', voice_format: '1', needvad: '1' }, 'key');
    const parsed = new URL(url);
    expect(parsed.pathname).toBe('/asr/v2/1259228442');
    expect([...parsed.searchParams.keys()]).toEqual(['engine_model_type', 'expired', 'needvad', 'nonce', 'secretid', 'timestamp', 'voice_format', 'voice_id', 'signature']);
    expect(url).toContain('voice_id=a%20b&signature=');
    const expected = createHmac('sha1', 'key')
      .update('asr.cloud.tencent.com/asr/v2/1259228442?engine_model_type=16k_zh&expired=3&needvad=1&nonce=2&secretid=AKID&timestamp=1&voice_format=1&voice_id=a b')
      .digest('base64');
    expect(parsed.searchParams.get('signature')).toBe(expected);
  });

  it('refuses a wrong secret key with 4002 (authentication failed) before any audio', async () => {
    const error = await openError(tencent({ secretKey: 'not-the-key' }).open({ interviewId: 'iv', sampleRateHz: 16_000 }, () => undefined));
    expect(error).toMatchObject({ code: 'ASR_AUTH_FAILED', vendorCode: '4002', retryable: false });
  });

  it('refuses a signed URL whose expiry has passed', async () => {
    const past = fixedClock(new Date(Date.now() - 3_600_000));
    const error = await openError(tencent({ clock: past, signatureTtlSeconds: 60 }).open({ interviewId: 'iv', sampleRateHz: 16_000 }, () => undefined));
    expect(error).toMatchObject({ code: 'ASR_AUTH_FAILED', vendorCode: '4002' });
  });

  it('closes a stream that sends no audio for the idle timeout with 4008', async () => {
    sim.asr.tencent.setTiming({ idleTimeoutMs: 150 });
    try {
      const { events, closed } = await openCollecting(tencent());
      await closed;
      expect(events).toEqual([
        { type: 'error', code: 'ASR_IDLE_TIMEOUT', vendorCode: '4008', message: expect.stringContaining('4008'), retryable: true },
        { type: 'closed' },
      ]);
    } finally {
      sim.asr.tencent.setTiming({ idleTimeoutMs: 15_000 });
    }
  });

  it('refuses streams beyond the account concurrency with 4006, retryable', async () => {
    sim.asr.tencent.setTiming({ maxConcurrentStreams: 1 });
    try {
      const first = await openCollecting(tencent());
      const error = await openError(tencent().open({ interviewId: 'iv', sampleRateHz: 16_000 }, () => undefined));
      expect(error).toMatchObject({ code: 'ASR_QUOTA_EXCEEDED', vendorCode: '4006', retryable: true });
      await first.stream.finish();
    } finally {
      sim.asr.tencent.setTiming({ maxConcurrentStreams: 20 });
    }
  });

  it('reports a dropped connection as ASR_DISCONNECTED and then closed', async () => {
    sim.asr.tencent.dropNextStream(32_000);
    const events = await stream(tencent(), fixture('closing').pcm);
    const tail = events.slice(-2);
    expect(tail[0]).toMatchObject({ type: 'error', code: 'ASR_DISCONNECTED', retryable: true });
    expect(tail[1]).toEqual({ type: 'closed' });
  });

  it('gives up on a service that accepts the connection but never answers the handshake', async () => {
    sim.asr.tencent.stallNextStream();
    const error = await openError(tencent({ responseTimeoutMs: 200 }).open({ interviewId: 'iv', sampleRateHz: 16_000 }, () => undefined));
    expect(error).toMatchObject({ code: 'ASR_UNAVAILABLE', vendorCode: 'timeout', retryable: true });
  });

  it('maps a mid-stream vendor error (4007 audio decode failure) to ASR_BAD_AUDIO', async () => {
    sim.asr.tencent.failNextStream(4007, 6_400);
    const events = await stream(tencent(), fixture('closing').pcm);
    expect(events.filter((e) => e.type === 'error')).toEqual([
      { type: 'error', code: 'ASR_BAD_AUDIO', vendorCode: '4007', message: expect.stringContaining('4007'), retryable: false },
    ]);
    expect(events.at(-1)).toEqual({ type: 'closed' });
  });
});

describe('Alibaba NLS real-time transcription', () => {
  it('signs CreateToken with the POP scheme and reuses the token for later streams', async () => {
    const engine = alibaba();
    const before = sim.asr.alibaba.tokensIssued.length;
    await stream(engine, fixture('closing').pcm.subarray(0, 32_000));
    await stream(engine, fixture('closing').pcm.subarray(0, 32_000));
    expect(sim.asr.alibaba.tokensIssued.length - before).toBe(1);
    // A known vector: the canonical string is GET&%2F&<encoded sorted query>, the key is "<secret>&".
    expect(popSignature('GET', { b: '2', a: 'x y*' }, 's')).toBe(createHmac('sha1', 's&').update('GET&%2F&a%3Dx%2520y%252A%26b%3D2').digest('base64'));
  });

  it('refuses a wrong AccessKey secret at CreateToken (SignatureDoesNotMatch)', async () => {
    const error = await openError(alibaba({ accessKeySecret: 'wrong' }).open({ interviewId: 'iv', sampleRateHz: 16_000 }, () => undefined));
    expect(error).toMatchObject({ code: 'ASR_AUTH_FAILED', vendorCode: 'SignatureDoesNotMatch', retryable: false });
  });

  it('refuses an unknown appkey with TaskFailed 40020105', async () => {
    const error = await openError(alibaba({ appKey: 'no-such-appkey' }).open({ interviewId: 'iv', sampleRateHz: 16_000 }, () => undefined));
    expect(error).toMatchObject({ code: 'ASR_AUTH_FAILED', vendorCode: '40020105' });
  });

  it('gets a new token once when the gateway says the cached one is invalid (40000001)', async () => {
    const engine = alibaba();
    await stream(engine, fixture('closing').pcm.subarray(0, 16_000));
    const before = sim.asr.alibaba.tokensIssued.length;
    sim.asr.alibaba.expireTokens();
    const events = await stream(engine, fixture('closing').pcm);
    expect(sim.asr.alibaba.tokensIssued.length - before).toBe(1);
    expect(events.filter((e) => e.type === 'final')).toHaveLength(1);
  });

  it('ends an idle task with TaskFailed 40000004 as ASR_IDLE_TIMEOUT', async () => {
    sim.asr.alibaba.setTiming({ idleTimeoutMs: 150 });
    try {
      const { events, closed } = await openCollecting(alibaba());
      await closed;
      expect(events[0]).toMatchObject({ type: 'error', code: 'ASR_IDLE_TIMEOUT', vendorCode: '40000004', retryable: true });
      expect(events.at(-1)).toEqual({ type: 'closed' });
    } finally {
      sim.asr.alibaba.setTiming({ idleTimeoutMs: 10_000 });
    }
  });

  it('reports a dropped gateway connection as ASR_DISCONNECTED', async () => {
    sim.asr.alibaba.dropNextTask(16_000);
    const events = await stream(alibaba(), fixture('closing').pcm);
    expect(events.slice(-2)).toEqual([expect.objectContaining({ type: 'error', code: 'ASR_DISCONNECTED' }), { type: 'closed' }]);
  });
});

describe('choosing the engine from the HB_ASR_* settings', () => {
  const base: SpeechEngineSettings = {
    HB_ASR_ENGINE: 'none',
    HB_ASR_TENCENT_APP_ID: undefined,
    HB_ASR_TENCENT_SECRET_ID: undefined,
    HB_ASR_TENCENT_SECRET_KEY: undefined,
    HB_ASR_TENCENT_ENDPOINT: 'wss://asr.cloud.tencent.com',
    HB_ASR_ALIBABA_ACCESS_KEY_ID: undefined,
    HB_ASR_ALIBABA_ACCESS_KEY_SECRET: undefined,
    HB_ASR_ALIBABA_APP_KEY: undefined,
    HB_ASR_ALIBABA_TOKEN_URL: 'https://nls-meta.cn-shanghai.aliyuncs.com/',
    HB_ASR_ALIBABA_GATEWAY_URL: 'wss://nls-gateway-cn-shanghai.aliyuncs.com/ws/v1',
    HB_ASR_LOCAL_MODEL_DIR: undefined,
  };

  it('offers typed notes only with "none" and names every missing credential of the chosen vendor', () => {
    expect(createSpeechToText(base, systemClock)).toBeUndefined();
    expect(() => createSpeechToText({ ...base, HB_ASR_ENGINE: 'tencent', HB_ASR_TENCENT_APP_ID: '1' }, systemClock)).toThrow(SpeechEngineConfigError);
    const error = (() => {
      try {
        createSpeechToText({ ...base, HB_ASR_ENGINE: 'alibaba' }, systemClock);
        return undefined;
      } catch (e) {
        return e;
      }
    })();
    expect(error).toMatchObject({ missing: ['HB_ASR_ALIBABA_ACCESS_KEY_ID', 'HB_ASR_ALIBABA_ACCESS_KEY_SECRET', 'HB_ASR_ALIBABA_APP_KEY'] });
  });

  it('builds a working Tencent engine from the settings', async () => {
    const engine = createSpeechToText(
      { ...base, HB_ASR_ENGINE: 'tencent', HB_ASR_TENCENT_APP_ID: tencentApp.appId, HB_ASR_TENCENT_SECRET_ID: tencentApp.secretId, HB_ASR_TENCENT_SECRET_KEY: tencentApp.secretKey, HB_ASR_TENCENT_ENDPOINT: sim.asr.endpoints.tencent },
      systemClock,
    );
    if (!engine) throw new Error('no engine');
    const events = await stream(engine, fixture('closing').pcm);
    expect(events.filter((e) => e.type === 'final').map((e) => (e.type === 'final' ? e.text : ''))).toEqual([fixture('closing').transcript]);
  });
});
