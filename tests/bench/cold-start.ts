// Benchmark 2: cold start of the main command to the first 200 from /readyz, without DATABASE_URL (embedded
// PostgreSQL in a fresh temporary HB_DATA_DIR). The first run includes initdb, migrations and the demo seed; the
// later runs reuse the directory. Each run: spawn, poll /readyz every 20 ms, SIGTERM, wait for exit.
//
//   node --import tsx tests/bench/cold-start.ts
import { spawn } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import {
  envNumber,
  freePort,
  isMain,
  median,
  ms,
  repoRoot,
  spawnMainCommand,
  table,
  tempDataDir,
  waitForReady,
  type BenchSummary,
  type MainCommand,
} from './support';

const laterRuns = envNumber('HB_BENCH_COLD_RUNS', 5);

/** Log messages that mark the start-up phases, by the prefix of their `msg`. */
const phases = [
  ['initdb', 'initialised a new embedded PostgreSQL cluster'],
  ['pg up', 'embedded PostgreSQL running'],
  ['listening', 'HireBridge listening on'],
  ['migrated', 'database migrations applied'],
  ['seeded', 'loaded the demo company'],
] as const;
type Phase = (typeof phases)[number][0];

interface ColdRun {
  readonly readyMs: number;
  readonly phases: Partial<Record<Phase, number>>;
  readonly stopMs: number;
  readonly exit: string;
}

async function once(dataDir: string): Promise<ColdRun> {
  const pgPort = await freePort();
  let main: MainCommand | undefined;
  try {
    // Default log level (info): the phase lines come from the log; a log line per /readyz poll is the only extra work.
    main = await spawnMainCommand({ env: { HB_LOG_LEVEL: 'info', HB_EMBEDDED_PG_PORT: String(pgPort) }, dataDir, captureLogs: true });
    const readyAt = await waitForReady(main, { intervalMs: 20, timeoutMs: 120_000 });
    const readyMs = readyAt - main.spawnedAt;
    const stopped = await main.stop();
    const marks: Partial<Record<Phase, number>> = {};
    for (const line of main.logs) {
      const msg = String(line.msg ?? '');
      const phase = phases.find(([, prefix]) => msg.startsWith(prefix));
      if (phase && typeof line.time === 'string') marks[phase[0]] ??= Date.parse(line.time) - main.spawnedWall;
    }
    return { readyMs, phases: marks, stopMs: stopped.ms, exit: stopped.exit.signal ?? String(stopped.exit.code) };
  } finally {
    await main?.stop();
  }
}

/** Spawn to exit of a process that only loads the server's modules through tsx: the floor under every start. */
async function importOnlyMs(): Promise<number> {
  const started = performance.now();
  const child = spawn(process.execPath, ['--import', 'tsx', 'tests/bench/import-server.ts'], { cwd: repoRoot, stdio: 'ignore' });
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  if (code !== 0) throw new Error(`import-server.ts exited with ${code}`);
  return performance.now() - started;
}

export async function run(): Promise<BenchSummary> {
  console.log('\n== 2. Cold start of the main command to /readyz = 200 (embedded PostgreSQL) ==');
  const data = tempDataDir('cold');
  try {
    console.log(`HB_DATA_DIR=${data.dir} (fresh, 0755), a new random HB_PORT and HB_EMBEDDED_PG_PORT per run`);
    const runs: ColdRun[] = [];
    for (let i = 0; i <= laterRuns; i++) {
      const r = await once(data.dir);
      runs.push(r);
      console.log(`run ${i + 1}${i === 0 ? ' (first)' : ''}: ready after ${ms(r.readyMs)} ms; SIGTERM to exit ${ms(r.stopMs)} ms (exit ${r.exit})`);
    }
    const imports: number[] = [];
    for (let i = 0; i < 5; i++) imports.push(await importOnlyMs());

    const phaseCell = (r: ColdRun, p: Phase) => (r.phases[p] === undefined ? '' : ms(r.phases[p]));
    const rows = runs.map((r, i) => [
      i === 0 ? '1 (initdb+migrate+seed)' : String(i + 1),
      ms(r.readyMs),
      ...phases.map(([p]) => phaseCell(r, p)),
      ms(r.stopMs),
    ]);
    const later = runs.slice(1);
    const summaryRows = [
      ...rows,
      ['median of later runs', ms(median(later.map((r) => r.readyMs))), '', ms(median(later.map((r) => r.phases['pg up'] ?? NaN))), ms(median(later.map((r) => r.phases.listening ?? NaN))), '', '', ms(median(later.map((r) => r.stopMs)))],
    ];
    const text = [
      table(['run', 'ready ms', ...phases.map(([p]) => `${p} ms`), 'stop ms'], summaryRows),
      `phase columns: time of the log line, from spawn; stop = SIGTERM to process exit (graceful, embedded PostgreSQL stopped)`,
      `floor: node + tsx loading the server modules and exiting takes ${ms(median(imports))} ms (median of ${imports.length})`,
    ].join('\n');
    console.log(`\n${text}`);
    return { title: 'Cold start to /readyz = 200 (embedded PostgreSQL)', text };
  } finally {
    data.remove();
  }
}

if (isMain(import.meta.url)) {
  run().then(
    () => process.exit(0),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}
