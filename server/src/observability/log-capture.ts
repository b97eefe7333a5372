import { randomBytes } from 'node:crypto';
import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Test-suite log capture: when HB_LOG_CAPTURE_DIR is set, every logger of this process also appends its lines (as
 * NDJSON) to one file `<dir>/<pid>-<random>.ndjson`, whatever its own destination and level, so that a scan after the
 * run can prove no log line carries personal data or credentials. Writes are synchronous: nothing is lost when the
 * process is killed. Not a production feature: nothing is captured unless the variable is set.
 */
export interface CaptureStream {
  write(line: string): void;
}

interface CaptureFile {
  readonly dir: string;
  readonly fd: number;
}

const slot = Symbol.for('hirebridge.logCapture');
type GlobalWithCapture = typeof globalThis & { [slot]?: CaptureFile | null };

function captureFile(dir: string): CaptureFile | null {
  const holder = globalThis as GlobalWithCapture;
  const current = holder[slot];
  if (current !== undefined && (current === null || current.dir === dir)) return current;
  try {
    mkdirSync(dir, { recursive: true });
    const fd = openSync(join(dir, `${process.pid}-${randomBytes(4).toString('hex')}.ndjson`), 'a');
    process.once('exit', () => {
      try {
        closeSync(fd);
      } catch {
        // already closed
      }
    });
    holder[slot] = { dir, fd };
  } catch (error) {
    // Capture must never stop the code under test from running; say once why it is off.
    process.stderr.write(`log capture disabled: cannot write to ${dir} (${(error as Error).message})\n`);
    holder[slot] = null;
  }
  return holder[slot] ?? null;
}

/** The capture stream of this process, or undefined when HB_LOG_CAPTURE_DIR is not set (or not writable). */
export function logCaptureStream(env: NodeJS.ProcessEnv = process.env): CaptureStream | undefined {
  const dir = env.HB_LOG_CAPTURE_DIR;
  if (!dir) return undefined;
  const file = captureFile(dir);
  if (!file) return undefined;
  return {
    write(line: string) {
      try {
        writeSync(file.fd, line.endsWith('\n') ? line : `${line}\n`);
      } catch {
        // The capture file went away (the run is over): drop the line rather than fail the caller.
      }
    },
  };
}
