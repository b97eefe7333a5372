import pino, { type DestinationStream, type Logger } from 'pino';
import { logCaptureStream } from './log-capture';
import { scrubText, scrubValue } from './scrub';

export type { Logger };

const censor = '[redacted]';
/** Keys that carry credentials or personal data, at the top level or one object down (`{ user: { phone } }`). */
const secretKeys = [
  'token', 'access_token', 'accessToken', 'refresh_token', 'secret', 'appSecret', 'corpsecret', 'password', 'authorization',
  'cookie', 'phone', 'mobile', 'email', 'idNumber', 'id_number', 'session_key', 'sessionKey', 'encodingAESKey', 'encodingAesKey',
  'aesKey', 'jsapi_ticket', 'ticket', 'privateKey', 'private_key',
];
/**
 * pino `redact` paths: a second line behind `scrubValue` (which replaces the same keys at any depth). They also cover
 * HTTP header objects, wherever a request or response is logged.
 */
export const redactPaths: readonly string[] = [
  ...secretKeys,
  ...secretKeys.map((key) => `*.${key}`),
  ...['headers', 'req.headers', 'res.headers', 'request.headers', 'response.headers'].flatMap((at) => [
    `${at}.authorization`,
    `${at}.cookie`,
    `${at}["set-cookie"]`,
    `${at}["x-hb-session"]`,
  ]),
];

type ChildMethod = (this: unknown, bindings: pino.Bindings, options?: pino.ChildLoggerOptions) => Logger;

/** Lines captured for the suite's log scan: what the code would log at debug (or trace, when asked for). */
function captureLevel(level: string): string {
  return level === 'trace' ? 'trace' : 'debug';
}

/**
 * JSON lines on stdout (or the given stream), scrubbed of personal data and credentials. When HB_LOG_CAPTURE_DIR is set
 * (the test suite), every line at debug or above is also appended to this process's capture file, even for a logger
 * whose own level is `silent`.
 */
export function createLogger(options: { level: string; destination?: DestinationStream; base?: Record<string, unknown> }): Logger {
  const destination = options.destination ?? pino.destination({ sync: false });
  const capture = options.level in pino.levels.values || options.level === 'silent' ? logCaptureStream() : undefined;
  const level = capture ? captureLevel(options.level) : options.level;
  const logger = pino(
    {
      level,
      base: options.base ?? { service: 'hirebridge' },
      timestamp: pino.stdTimeFunctions.isoTime,
      messageKey: 'msg',
      redact: { paths: [...redactPaths], censor },
      formatters: {
        level: (label) => ({ level: label }),
        bindings: (bindings) => scrubValue(bindings) as Record<string, unknown>,
        log: (object) => scrubValue(object) as Record<string, unknown>,
      },
      hooks: {
        logMethod(args, method) {
          const scrubbed: unknown[] = args.map((arg) => (typeof arg === 'string' ? scrubText(arg) : arg));
          // log.error(err) takes its message from the error, past the string scrubbing above.
          if (scrubbed[0] instanceof Error && typeof scrubbed[1] !== 'string') scrubbed.splice(1, 0, scrubText(scrubbed[0].message));
          method.apply(this, scrubbed as Parameters<typeof method>);
        },
      },
    },
    capture
      ? pino.multistream([
          { level: options.level as pino.Level, stream: destination },
          { level: level as pino.Level, stream: capture },
        ])
      : destination,
  );
  // Child bindings bypass formatters.log (pino formats them once, with formatters.bindings reset for children):
  // scrub them here. Children inherit this from the root logger, grandchildren too.
  const child = logger.child as unknown as ChildMethod;
  const scrubbedChild: ChildMethod = function (this: unknown, bindings, childOptions) {
    return child.call(this, scrubValue(bindings) as pino.Bindings, childOptions);
  };
  logger.child = scrubbedChild as unknown as Logger['child'];
  return logger;
}
