import { ConfigError, loadConfig } from '@hirebridge/config';
import { EmbeddedPostgresError } from './adapters/postgres/embedded-postgres';
import { startHireBridge } from './server';

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

  let running;
  try {
    running = await startHireBridge(config);
  } catch (error) {
    if (error instanceof EmbeddedPostgresError || (error as Error).message?.startsWith('HB_PORT')) {
      console.error(`HireBridge cannot start: ${(error as Error).message}`);
      process.exit(1);
    }
    throw error;
  }

  const shutdown = (signal: string) => {
    running.stop(signal).then(
      () => process.exit(0),
      (error: unknown) => {
        running.log.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));
  if (config.mode === 'demo') {
    running.ready.then(() => running.log.info(`ready: open ${running.url}/openapi.json; demo sign-in: POST ${running.url}/api/dev/sessions`));
  }
}

main().catch((error: unknown) => {
  console.error('HireBridge failed to start:', error);
  process.exit(1);
});
