import pg from 'pg';
import type { Logger } from '../../observability/logger';

export interface NotificationListener {
  close(): Promise<void>;
}

/**
 * LISTEN on one channel over a dedicated connection (a pooled one would be handed to queries), calling `onNotify` for
 * each notification and once after every (re)connect — anything announced while the connection was down is found by
 * the look that follows. A lost connection is retried with backoff; the caller's own periodic look covers the gap.
 */
export function listenForNotifications(options: {
  connectionString: string;
  channel: string;
  onNotify: () => void;
  log: Logger;
  retryMs?: { min: number; max: number };
}): NotificationListener {
  if (!/^[a-z_][a-z0-9_]*$/.test(options.channel)) throw new Error(`invalid channel name ${options.channel}`);
  const retry = options.retryMs ?? { min: 500, max: 30_000 };
  let client: pg.Client | undefined;
  let timer: NodeJS.Timeout | undefined;
  let closed = false;
  let delay = retry.min;

  const connect = async () => {
    if (closed) return;
    const next = new pg.Client({ connectionString: options.connectionString, application_name: `hirebridge-listen-${options.channel}` });
    next.on('notification', (message) => {
      if (message.channel === options.channel) options.onNotify();
    });
    next.on('error', (error) => {
      options.log.debug({ err: error, channel: options.channel }, 'notification connection lost; reconnecting');
      void next.end().catch(() => undefined);
      if (client === next) client = undefined;
      schedule();
    });
    try {
      await next.connect();
      await next.query(`LISTEN ${options.channel}`);
      if (closed) {
        await next.end();
        return;
      }
      client = next;
      delay = retry.min;
      options.onNotify();
    } catch (error) {
      options.log.debug({ err: error, channel: options.channel }, 'could not listen for notifications; retrying');
      await next.end().catch(() => undefined);
      schedule();
    }
  };
  const schedule = () => {
    if (closed || timer) return;
    timer = setTimeout(() => {
      timer = undefined;
      void connect();
    }, delay);
    timer.unref();
    delay = Math.min(delay * 2, retry.max);
  };

  void connect();
  return {
    async close() {
      closed = true;
      if (timer) clearTimeout(timer);
      const open = client;
      client = undefined;
      await open?.end().catch(() => undefined);
    },
  };
}
