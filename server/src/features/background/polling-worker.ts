/**
 * Runs `tick` in the background: again at once while it reports a full batch, otherwise after `idleMs`. An idle
 * poll of a queue table costs one indexed query (partial indexes on pending rows). `stop()` waits for the tick in
 * hand, so a shutdown never abandons claimed work half done.
 */
export function startPollingWorker(
  tick: () => Promise<{ full: boolean }>,
  options: { idleMs?: number; onError?: (error: unknown) => void; onSuccess?: () => void } = {},
) {
  const idleMs = options.idleMs ?? 500;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  const run = () => {
    running = (async () => {
      let full = false;
      try {
        full = (await tick()).full;
        options.onSuccess?.();
      } catch (error) {
        options.onError?.(error);
      }
      if (!stopped) timer = setTimeout(run, full ? 0 : idleMs);
    })();
  };
  run();
  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}
