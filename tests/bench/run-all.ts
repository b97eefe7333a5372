// `npm run bench`: the benchmarks one after the other, then a plain-text summary to paste into the README.
// Benchmarks print; they do not assert on timings.
import { cpus, totalmem } from 'node:os';
import { performance } from 'node:perf_hooks';
import { run as asrPipeline } from './asr';
import { run as hrBot } from './bot';
import { run as callbackLatency } from './callback-latency';
import { run as coldStart } from './cold-start';
import { run as idleRss } from './idle-rss';
import { run as liveNotes } from './live-notes';
import { run as purge } from './purge';
import { run as readRoute } from './read-route';
import { run as reminders } from './reminders';
import { run as sessionCheck } from './session-check';
import type { BenchSummary } from './support';

async function main() {
  const started = performance.now();
  const machine = `${cpus().length} cores (${cpus()[0]?.model.trim() ?? '?'}), ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, ${process.platform}-${process.arch}`;
  console.log(`HireBridge benchmarks — ${machine}`);

  const summaries: BenchSummary[] = [];
  let failed = 0;
  for (const [title, bench] of [['Read route vs bare Koa', readRoute], ['Cold start', coldStart], ['RSS at idle', idleRss], ['WeCom callbacks and outbox', callbackLatency], ['Retention purge', purge], ['Session check', sessionCheck], ['Reminders', reminders], ['Live notes speech pipeline', asrPipeline], ['Live notes over the phone WebSocket', liveNotes], ['HR bot', hrBot]] as const) {
    try {
      summaries.push(await bench());
    } catch (error) {
      // One broken benchmark should not hide the others; its children were stopped by its own cleanup.
      failed++;
      console.error(error);
      summaries.push({ title, text: `FAILED: ${(error as Error).message}` });
    }
  }

  const minutes = (performance.now() - started) / 60_000;
  console.log(`\n${'='.repeat(100)}`);
  console.log(`SUMMARY — ${new Date().toISOString().slice(0, 16)}Z, ${machine}, ${minutes.toFixed(1)} min`);
  summaries.forEach((s, i) => console.log(`\n${i + 1}. ${s.title}\n${s.text}`));
  return failed;
}

main().then(
  (failed) => process.exit(failed > 0 ? 1 : 0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
