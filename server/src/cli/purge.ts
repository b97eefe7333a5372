import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig } from '@hirebridge/config';
import { connectDatabase } from '../adapters/postgres/database';
import { startEmbeddedPostgres } from '../adapters/postgres/embedded-postgres';
import { postgresStores, postgresTransact } from '../adapters/postgres/stores';
import { AppError } from '../domain/errors';
import type { FeatureContext } from '../features/context';
import { dataClassLabels, runPurge, type PurgeReport } from '../features/retention';
import { createLogger } from '../observability/logger';
import { systemClock } from '../ports/clock';

/**
 * `npm run purge -- [--dry-run] [--tenant <id>]… [--json]`: the retention purge now, as the nightly job runs it.
 * With --dry-run it only shows what would go, per tenant and data class, and writes nothing. Exit codes: 0 done,
 * 1 failed (or some tenant class failed), 2 usage, 78 configuration.
 */
const usage = `用法 Usage: npm run purge -- [--dry-run] [--tenant <tenant-id>]... [--json] [--batch <n>]
  --dry-run   只显示将被删除或匿名化的内容，不做任何修改 Show what would go; change nothing
  --tenant    只处理该租户（可重复）Only this tenant (repeatable); all tenants when omitted
  --json      以 JSON 输出报告 Print the report as JSON
  --batch     每个事务处理的对象数 Objects per transaction (default 1000)`;

const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Width of a string in a monospace terminal: CJK characters take two columns. */
function width(text: string): number {
  let w = 0;
  for (const ch of text) w += /[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]/.test(ch) ? 2 : 1;
  return w;
}
const pad = (text: string, w: number, right = false) => (right ? ' '.repeat(Math.max(0, w - width(text))) + text : text + ' '.repeat(Math.max(0, w - width(text))));

function table(headers: readonly string[], rows: readonly (readonly string[])[], numeric: ReadonlySet<number>): string[] {
  const widths = headers.map((h, i) => Math.max(width(h), ...rows.map((r) => width(r[i] ?? ''))));
  const line = (cells: readonly string[]) => cells.map((c, i) => pad(c, widths[i]!, numeric.has(i))).join('  ').trimEnd();
  return [line(headers), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)];
}

export function formatPurgeReport(report: PurgeReport): string {
  const seconds = ((Date.parse(report.finishedAt) - Date.parse(report.startedAt)) / 1000).toFixed(1);
  const lines = [
    report.dryRun
      ? `保留期清理预演（未做任何修改）Retention purge DRY RUN — nothing was changed (as of ${report.startedAt})`
      : `保留期清理完成 Retention purge finished (run ${report.runId}, ${seconds} s)`,
  ];
  if (report.tenants.length === 0) {
    lines.push('没有租户 No tenants.');
    return lines.join('\n');
  }
  const what = report.dryRun ? '将处理 would go' : '已处理 done';
  const rows: string[][] = [];
  for (const tenant of report.tenants) {
    for (const c of tenant.classes) {
      rows.push([
        `${tenant.tenantName} (${tenant.tenantId.slice(0, 8)})`,
        dataClassLabels[c.dataClass],
        String(c.retainDays),
        c.cutoff.slice(0, 10),
        c.error ? '失败 FAILED' : String(c.objects),
        c.error ? '' : c.rows === null ? '—' : String(c.rows),
        ...(report.dryRun || c.error ? [c.error ?? (c.sample?.length ? c.sample.join(' ') + (c.objects > c.sample.length ? ' …' : '') : '')] : []),
      ]);
    }
  }
  lines.push(
    ...table(
      ['租户 Tenant', '数据类别 Data class', '保留天数 Days', '早于 Before', `对象 Objects ${what}`, '行 Rows', ...(report.dryRun ? ['示例 Sample ids'] : report.failed ? ['错误 Error'] : [])],
      rows,
      new Set([2, 4, 5]),
    ),
  );
  lines.push(
    report.dryRun
      ? '对象：候选人匿名化 / 面试的录音或转写删除 / 审计日志删除。Objects: candidates anonymised, interviews whose audio or transcript is deleted, audit events deleted.'
      : `合计 Total: ${report.totals.objects} 个对象 objects, ${report.totals.rows} 行 rows; 删除记录见 deletion_records (run_id ${report.runId}).`,
  );
  if (report.failed > 0) lines.push(`${report.failed} 项失败 class(es) failed; see above.`);
  return lines.join('\n');
}

function explain(error: unknown): string {
  const code = (error as { code?: string }).code;
  if (code === '42P01') return `数据库尚未迁移 The database is not migrated: run npm run db:migrate first (${(error as Error).message})`;
  if (error instanceof AppError) {
    const cause = (error as { cause?: unknown }).cause;
    return cause instanceof Error ? `${error.message} (${cause.message})` : error.message;
  }
  return (error as Error)?.message ?? String(error);
}

async function main(): Promise<number> {
  let args;
  try {
    args = parseArgs({
      options: {
        'dry-run': { type: 'boolean' },
        tenant: { type: 'string', multiple: true },
        json: { type: 'boolean' },
        batch: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    console.error(`${(error as Error).message}\n${usage}`);
    return 2;
  }
  if (args.values.help) {
    console.log(usage);
    return 0;
  }
  const tenants = args.values.tenant;
  const bad = tenants?.find((t) => !uuid.test(t));
  if (bad) {
    console.error(`不是有效的租户 ID Not a tenant id: ${bad}\n${usage}`);
    return 2;
  }
  const batchSize = args.values.batch === undefined ? undefined : Number(args.values.batch);
  if (batchSize !== undefined && !(Number.isInteger(batchSize) && batchSize >= 1 && batchSize <= 100_000)) {
    console.error(`--batch 须为 1–100000 的整数 --batch must be an integer from 1 to 100000\n${usage}`);
    return 2;
  }

  let config;
  try {
    config = loadConfig(process.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(`HireBridge cannot run the purge. ${error.message}`);
      return 78; // EX_CONFIG, like the server
    }
    throw error;
  }
  // Logs go to stderr: stdout carries the report only.
  const log = createLogger({ level: config.logLevel === 'info' ? 'warn' : config.logLevel, destination: process.stderr });
  const embedded = config.database.url
    ? undefined
    : await startEmbeddedPostgres({ dataDir: config.database.embeddedDataDir, port: config.database.embeddedPort, log });
  const database = connectDatabase({ url: config.database.url ?? embedded!.url, poolMax: 4, log, applicationName: 'hirebridge-purge' });
  try {
    // The purge reads no encrypted field, so the stores need no data keys.
    const features: FeatureContext = { stores: postgresStores(database.db), transact: postgresTransact(database.db), clock: systemClock };
    const dryRun = args.values['dry-run'] ?? false;
    const report = await runPurge(features, {
      dryRun,
      ...(tenants && { tenantIds: tenants }),
      ...(batchSize && { batchSize }),
      onProgress: dryRun || !process.stderr.isTTY ? undefined : (p) => process.stderr.write(`\r清理中 Purging ${p.tenantId.slice(0, 8)} ${p.dataClass}: ${p.objects}\x1b[K`),
    });
    if (!dryRun && process.stderr.isTTY) process.stderr.write('\r\x1b[K');
    console.log(args.values.json ? JSON.stringify(report, null, 2) : formatPurgeReport(report));
    return report.failed > 0 ? 1 : 0;
  } catch (error) {
    console.error(`保留期清理失败 Retention purge failed: ${explain(error)}`);
    return 1;
  } finally {
    await database.close();
    await embedded?.stop();
  }
}

// Run only as the command, so tests can import the printer without starting a purge.
if (process.argv[1] && fileURLToPath(import.meta.url) === resolve(process.argv[1])) {
  main().then(
    (code) => process.exit(code),
    (error: unknown) => {
      console.error(`保留期清理失败 Retention purge failed: ${explain(error)}`);
      process.exit(1);
    },
  );
}
