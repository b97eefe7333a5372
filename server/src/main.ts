import { ConfigError, loadConfig } from '@hirebridge/config';
import { EmbeddedPostgresError } from './adapters/postgres/embedded-postgres';
import { startHireBridge, type RunningHireBridge } from './server';

/** Composition root: read the configuration once, start, and stop gracefully on SIGTERM/SIGINT. */
async function main() {
  let config;
  try {
    config = loadConfig(process.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(`HireBridge cannot start. ${error.message}`);
      process.exit(78); // EX_CONFIG
    }
    throw error;
  }

  // Signal handlers go in before anything starts: a SIGTERM while the embedded PostgreSQL is starting would
  // otherwise kill this process at once and leave the postmaster running orphaned. A signal during start-up is
  // acted on as soon as start-up ends; a second signal falls through to Node's default (immediate exit).
  let running: RunningHireBridge | undefined;
  let requested: string | undefined;
  const shutdown = (signal: string) => {
    if (!running) {
      requested = signal;
      return;
    }
    const stopping = running;
    stopping.stop(signal).then(
      () => process.exit(0),
      (error: unknown) => {
        stopping.log.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));

  try {
    running = await startHireBridge(config);
  } catch (error) {
    if (error instanceof EmbeddedPostgresError || (error as Error).message?.startsWith('HB_PORT')) {
      console.error(`HireBridge cannot start: ${(error as Error).message}`);
      process.exit(1);
    }
    throw error;
  }
  if (requested) {
    shutdown(requested);
    return;
  }
  const started = running;
  if (config.mode === 'demo') {
    void started.ready.then(() => started.log.info(`ready: open ${started.url}/openapi.json; demo sign-in: POST ${started.url}/api/dev/sessions`));
  }
}

main().catch((error: unknown) => {
  console.error('HireBridge failed to start:', error);
  process.exit(1);
});
