// Benchmark 3: memory at idle. The main command on embedded PostgreSQL (fresh temporary HB_DATA_DIR), idle for a
// few seconds after /readyz = 200; then RSS and PSS of the Node process and of every process of its PostgreSQL
// cluster (the postmaster from <HB_DATA_DIR>/pg/postmaster.pid and its children). Linux only (/proc).
//
//   node --import tsx tests/bench/idle-rss.ts
import {
  cmdline,
  descendantsOf,
  envNumber,
  freePort,
  hasProc,
  isMain,
  memoryOf,
  mib,
  postmasterPid,
  procStat,
  sleep,
  spawnMainCommand,
  table,
  tempDataDir,
  waitForReady,
  type BenchSummary,
  type MainCommand,
  type Memory,
} from './support';

const idleSeconds = envNumber('HB_BENCH_IDLE_SECONDS', 5);

interface Row {
  readonly pid: number;
  readonly name: string;
  readonly memory: Memory;
}

const total = (rows: readonly Row[], key: 'rssKiB' | 'pssKiB') => rows.reduce((sum, r) => sum + (r.memory[key] ?? NaN), 0);
const pssCell = (kib: number | undefined) => (kib === undefined || Number.isNaN(kib) ? 'n/a' : mib(kib));

export async function run(): Promise<BenchSummary> {
  console.log('\n== 3. RSS at idle (main command on embedded PostgreSQL) ==');
  if (!hasProc) {
    const text = 'skipped: needs Linux /proc';
    console.log(text);
    return { title: 'RSS at idle', text };
  }
  const data = tempDataDir('rss');
  let main: MainCommand | undefined;
  try {
    main = await spawnMainCommand({ env: { HB_LOG_LEVEL: 'info', HB_EMBEDDED_PG_PORT: String(await freePort()) }, dataDir: data.dir });
    await waitForReady(main);
    console.log(`ready (first start: initdb, migrations, demo seed); idle for ${idleSeconds} s…`);
    await sleep(idleSeconds * 1000);

    const postmaster = postmasterPid(data.dir);
    if (postmaster === undefined) throw new Error(`no ${data.dir}/pg/postmaster.pid`);
    if (procStat(postmaster)?.ppid !== main.pid) console.log(`note: postmaster ${postmaster} is not a child of the node process ${main.pid}`);
    const cluster = new Set([postmaster, ...descendantsOf(postmaster)]);
    const describe = (pid: number): Row | undefined => {
      const memory = memoryOf(pid);
      if (!memory) return undefined;
      const name = cmdline(pid).replace(/^postgres: /, '') || procStat(pid)?.comm || '?';
      return { pid, name: pid === postmaster ? 'postmaster' : name.slice(0, 48), memory };
    };
    const nodeRow = describe(main.pid);
    if (!nodeRow) throw new Error('the node process is gone');
    const pgRows = [...cluster].map(describe).filter((r): r is Row => r !== undefined);
    // Anything else the main command started (none expected).
    const otherRows = descendantsOf(main.pid)
      .filter((pid) => !cluster.has(pid))
      .map(describe)
      .filter((r): r is Row => r !== undefined);

    const detail = table(
      ['process', 'pid', 'RSS MiB', 'PSS MiB'],
      [nodeRow, ...otherRows, ...pgRows].map((r) => [r === nodeRow ? 'node (main command)' : r.name, String(r.pid), mib(r.memory.rssKiB), pssCell(r.memory.pssKiB)]),
    );
    console.log(detail);

    const nodeRss = nodeRow.memory.rssKiB;
    const summaryRows = [
      ['node server process', '1', mib(nodeRss), pssCell(nodeRow.memory.pssKiB)],
      ...(otherRows.length ? [['other children of node', String(otherRows.length), mib(total(otherRows, 'rssKiB')), pssCell(total(otherRows, 'pssKiB'))]] : []),
      [`postgres cluster (postmaster + ${pgRows.length - 1})`, String(pgRows.length), mib(total(pgRows, 'rssKiB')), pssCell(total(pgRows, 'pssKiB'))],
      ['all', String(1 + otherRows.length + pgRows.length), mib(total([nodeRow, ...otherRows, ...pgRows], 'rssKiB')), pssCell(total([nodeRow, ...otherRows, ...pgRows], 'pssKiB'))],
    ];
    const text = [
      table(['after ' + idleSeconds + ' s idle', 'procs', 'RSS MiB', 'PSS MiB'], summaryRows),
      'RSS counts shared pages (PostgreSQL shared buffers, libraries) once per process, so the postgres RSS sum overstates; PSS splits them fairly.',
    ].join('\n');
    console.log(`\n${text}`);
    return { title: 'Memory at idle (embedded PostgreSQL)', text };
  } finally {
    await main?.stop();
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
