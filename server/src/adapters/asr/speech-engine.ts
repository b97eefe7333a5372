import type { Clock } from '../../ports/clock';
import type { SpeechToText } from '../../ports/speech-to-text';
import { AlibabaSpeechToText } from './alibaba-nls';
import { LocalSpeechToText } from './local-sherpa';
import { TencentSpeechToText } from './tencent-asr';

/** The ASR settings (config/src/settings.ts, HB_ASR_*) the composition root passes in. */
export interface SpeechEngineSettings {
  readonly HB_ASR_ENGINE: 'none' | 'tencent' | 'alibaba' | 'local';
  readonly HB_ASR_TENCENT_APP_ID: string | undefined;
  readonly HB_ASR_TENCENT_SECRET_ID: string | undefined;
  readonly HB_ASR_TENCENT_SECRET_KEY: string | undefined;
  readonly HB_ASR_TENCENT_ENDPOINT: string;
  readonly HB_ASR_ALIBABA_ACCESS_KEY_ID: string | undefined;
  readonly HB_ASR_ALIBABA_ACCESS_KEY_SECRET: string | undefined;
  readonly HB_ASR_ALIBABA_APP_KEY: string | undefined;
  readonly HB_ASR_ALIBABA_TOKEN_URL: string;
  readonly HB_ASR_ALIBABA_GATEWAY_URL: string;
  readonly HB_ASR_LOCAL_MODEL_DIR: string | undefined;
}

export class SpeechEngineConfigError extends Error {
  constructor(readonly missing: readonly string[]) {
    super(`语音识别配置不完整，缺少 ${missing.join(', ')}。HB_ASR_ENGINE needs: ${missing.join(', ')}`);
    this.name = 'SpeechEngineConfigError';
  }
}

/** The configured engine, or undefined for "none" (typed notes only). Throws when the chosen one lacks a setting. */
export function createSpeechToText(settings: SpeechEngineSettings, clock: Clock): SpeechToText | undefined {
  const need = <K extends keyof SpeechEngineSettings>(...names: K[]) => {
    const missing = names.filter((name) => !settings[name]);
    if (missing.length > 0) throw new SpeechEngineConfigError(missing);
  };
  switch (settings.HB_ASR_ENGINE) {
    case 'none':
      return undefined;
    case 'tencent':
      need('HB_ASR_TENCENT_APP_ID', 'HB_ASR_TENCENT_SECRET_ID', 'HB_ASR_TENCENT_SECRET_KEY');
      return new TencentSpeechToText({
        appId: settings.HB_ASR_TENCENT_APP_ID ?? '',
        secretId: settings.HB_ASR_TENCENT_SECRET_ID ?? '',
        secretKey: settings.HB_ASR_TENCENT_SECRET_KEY ?? '',
        endpoint: settings.HB_ASR_TENCENT_ENDPOINT,
        clock,
      });
    case 'alibaba':
      need('HB_ASR_ALIBABA_ACCESS_KEY_ID', 'HB_ASR_ALIBABA_ACCESS_KEY_SECRET', 'HB_ASR_ALIBABA_APP_KEY');
      return new AlibabaSpeechToText({
        accessKeyId: settings.HB_ASR_ALIBABA_ACCESS_KEY_ID ?? '',
        accessKeySecret: settings.HB_ASR_ALIBABA_ACCESS_KEY_SECRET ?? '',
        appKey: settings.HB_ASR_ALIBABA_APP_KEY ?? '',
        tokenEndpoint: settings.HB_ASR_ALIBABA_TOKEN_URL,
        gatewayUrl: settings.HB_ASR_ALIBABA_GATEWAY_URL,
        clock,
      });
    case 'local':
      need('HB_ASR_LOCAL_MODEL_DIR');
      return new LocalSpeechToText({ modelDir: settings.HB_ASR_LOCAL_MODEL_DIR ?? '' });
  }
}
