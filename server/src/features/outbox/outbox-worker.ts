import type { OutboundSender } from '../../ports/outbound-sender';
import { startPollingWorker } from '../background/polling-worker';
import type { FeatureContext } from '../context';
import { dispatchDueMessages, type DispatchOptions } from './index';

/** Sends due outbox rows in the background (see startPollingWorker). */
export function startOutboxWorker(
  ctx: FeatureContext,
  senders: Readonly<Record<string, OutboundSender>>,
  options: DispatchOptions & { idleMs?: number; onError?: (error: unknown) => void; onSuccess?: () => void } = {},
) {
  const batchSize = options.batchSize ?? 50;
  return startPollingWorker(async () => {
    const result = await dispatchDueMessages(ctx, senders, { ...options, batchSize });
    return { full: result.claimed >= batchSize };
  }, options);
}
