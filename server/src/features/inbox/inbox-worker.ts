import { startPollingWorker } from '../background/polling-worker';
import type { FeatureContext } from '../context';
import { processDueEvents, type InboxHandlers } from './index';

/** Handles due inbox events in the background (see startPollingWorker). */
export function startInboxWorker(
  ctx: FeatureContext,
  handlers: InboxHandlers,
  options: { batchSize?: number; idleMs?: number; onError?: (error: unknown) => void; onSuccess?: () => void } = {},
) {
  const batchSize = options.batchSize ?? 50;
  return startPollingWorker(async () => {
    const result = await processDueEvents(ctx, handlers, { batchSize });
    return { full: result.claimed >= batchSize };
  }, options);
}
