import type { OutboundSender } from '../../ports/outbound-sender';
import type { FeatureContext } from '../context';
import { dispatchDueMessages, type DispatchOptions } from './index';

/**
 * Drives the dispatcher in the background: again at once while batches come back full, otherwise after `idleMs`.
 * Polling an idle outbox costs one indexed query (the partial index on pending rows). `stop()` waits for the
 * batch in hand, so a shutdown never abandons a claimed row mid-send.
 */
export function startOutboxWorker(
  ctx: FeatureContext,
  senders: Readonly<Record<string, OutboundSender>>,
  options: DispatchOptions & { idleMs?: number; onError?: (error: unknown) => void; onSuccess?: () => void } = {},
) {
  const idleMs = options.idleMs ?? 500;
  const batchSize = options.batchSize ?? 50;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;

  const tick = () => {
    running = (async () => {
      let full = false;
      try {
        const result = await dispatchDueMessages(ctx, senders, { ...options, batchSize });
        full = result.claimed === batchSize;
        options.onSuccess?.();
      } catch (error) {
        options.onError?.(error);
      }
      if (!stopped) timer = setTimeout(tick, full ? 0 : idleMs);
    })();
  };
  tick();

  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}
