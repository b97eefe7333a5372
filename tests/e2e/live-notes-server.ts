import type { Server } from 'node:http';
import { startSimulator, type Simulator } from '@hirebridge/simulator';
import { TencentSpeechToText } from '../../server/src/adapters/asr/tencent-asr';
import { sileroVoiceActivity } from '../../server/src/adapters/asr/vad';
import type { FeatureContext } from '../../server/src/features/context';
import { attachLiveNotesSocket, type LiveNotesSocket } from '../../server/src/http/live-notes-socket';
import { createLogger } from '../../server/src/observability/logger';
import { systemClock } from '../../server/src/ports/clock';
import type { VoiceActivityDetectorFactory } from '../../server/src/ports/voice-activity';

/**
 * The live-notes socket on `server`, with Tencent's real-time ASR played by a new platform simulator that knows
 * `tencentApp`; the real voice-activity detector unless a test passes its own. The caller stops both afterwards.
 */
export async function attachLiveNotesWithSimulatedAsr(
  server: Server,
  features: FeatureContext,
  tencentApp: { appId: string; secretId: string; secretKey: string },
  voiceActivity: VoiceActivityDetectorFactory = sileroVoiceActivity(),
): Promise<{ sim: Simulator; live: LiveNotesSocket }> {
  const sim = await startSimulator();
  sim.asr.tencent.addApp(tencentApp);
  const speech = new TencentSpeechToText({ ...tencentApp, endpoint: sim.asr.endpoints.tencent, clock: systemClock });
  const live = attachLiveNotesSocket(server, { features, speech: () => speech, voiceActivity, log: createLogger({ level: 'silent' }) });
  return { sim, live };
}
