#!/usr/bin/env node
// Runs the whole suite and ends with the plain line "N passed, N failed" (CI does not read vitest's summary).
// Exits non-zero when anything failed, when a test file could not run, or when no test ran at all.
// Every log line of the run (in-process loggers and spawned servers) is captured into a fresh directory
// (HB_LOG_CAPTURE_DIR) and scanned afterwards for personal data and credentials: the scan counts as one more test.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { formatReport, scanDirectory } from './log-scan/scan-logs.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const report = join(root, '.vitest-results.json');
rmSync(report, { force: true });
const captureDir = mkdtempSync(join(tmpdir(), 'hirebridge-test-logs-'));
const filtered = process.argv.length > 2;
const args = ['vitest', 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${report}`, ...process.argv.slice(2)];
const run = spawnSync('npx', args, { cwd: root, stdio: 'inherit', env: { ...process.env, TZ: 'Asia/Shanghai', HB_LOG_CAPTURE_DIR: captureDir } });

let passed = 0;
let failed = 0;
let skipped = 0;
if (existsSync(report)) {
  const results = JSON.parse(readFileSync(report, 'utf8'));
  passed = results.numPassedTests;
  failed = results.numFailedTests;
  skipped = results.numPendingTests + (results.numTodoTests ?? 0);
  // A file that fails to load has no tests to count; count it as a failure so it cannot pass silently.
  failed += results.testResults.filter((file) => file.status === 'failed' && file.assertionResults.length === 0).length;
} else {
  failed += 1;
}
if (run.status !== 0 && failed === 0) failed = 1;
const testsRan = passed > 0;

// The log scan: passes with no finding. On the whole suite an empty capture means capture is broken, so it fails too
// (a filtered run may well log nothing).
let scanPassed = false;
try {
  const scan = scanDirectory(captureDir);
  console.log(formatReport(scan));
  scanPassed = scan.findings.length === 0 && (filtered || scan.lines > 0);
  if (!filtered && scan.lines === 0) console.log(`log scan: no log line was captured in ${captureDir}: is HB_LOG_CAPTURE_DIR reaching the loggers?`);
} catch (error) {
  console.log(`log scan: could not scan ${captureDir}: ${error instanceof Error ? error.message : String(error)}`);
}
if (scanPassed) {
  passed += 1;
  rmSync(captureDir, { recursive: true, force: true });
} else {
  failed += 1;
  console.log(`log scan: captured logs kept in ${captureDir}`);
}

// Skipped tests (those that need what this machine lacks, e.g. a local speech model) are said on their own line;
// the last line stays the plain "N passed, N failed" CI reads.
if (skipped) console.log(`${skipped} skipped`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed > 0 || !testsRan ? 1 : 0);
