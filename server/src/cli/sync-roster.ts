import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig } from '@hirebridge/config';
import { connectDatabase } from '../adapters/postgres/database';
import { startEmbeddedPostgres } from '../adapters/postgres/embedded-postgres';
import { postgresStores, postgresTransact } from '../adapters/postgres/stores';
import { postgresTokenCache } from '../adapters/postgres/token-cache';
import { WecomApiError } from '../adapters/wecom/api-client';
import { wecomDirectoryFor } from '../adapters/wecom/employee-directory';
import { AppError } from '../domain/errors';
import type { FeatureContext } from '../features/context';
import { reconcileRoster, RosterSyncBusyError, syncRoster, type RosterProgress, type RosterReport } from '../features/roster';
import { createLogger } from '../observability/logger';
import { systemClock } from '../ports/clock';
import { DirectoryNotConfiguredError } from '../ports/employee-directory';

/**
 * `npm run sync:roster -- --tenant <id> [--reconcile] [--json]`: imports the tenant's WeCom directory now, with a
 * progress bar on stderr and the report on stdout. Exit codes: 0 done, 1 failed, 2 usage, 75 another run in
 * progress (try later), 78 configuration.
 */
const usage = `用法 Usage: npm run sync:roster -- --tenant <tenant-id> [--reconcile] [--json]
  --tenant     租户 ID (uuid) The tenant whose WeCom directory to import
  --reconcile  记录为对账 Record the run as a reconciliation (what the nightly job does)
  --json       以 JSON 输出报告 Print the full report as JSON`;

/** `同步通讯录 Syncing roster [#####.....] 120/240`: redrawn in place on a terminal, one line per 10% otherwise. */
export function progressPrinter(stream: { isTTY?: boolean; write(text: string): unknown }) {
  const width = 10;
  let lastTenth = -1;
  let drawn = false;
  return {
    update(progress: RosterProgress) {
      if (progress.phase === 'listing' && stream.isTTY) {
        stream.write(`\r同步通讯录 Syncing roster: 已列出 ${progress.done} 名成员 listed ${progress.done} members\x1b[K`);
        drawn = true;
        return;
      }
      if (progress.phase !== 'members' || progress.total === null || progress.total === 0) return;
      const filled = Math.min(width, Math.floor((progress.done / progress.total) * width));
      const line = `同步通讯录 Syncing roster [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${progress.done}/${progress.total}`;
      if (stream.isTTY) {
        stream.write(`\r${line}\x1b[K`);
        drawn = true;
        return;
      }
      const tenth = Math.floor((progress.done / progress.total) * 10);
      if (tenth > lastTenth) {
        lastTenth = tenth;
        stream.write(`${line}\n`);
      }
    },
    finish() {
      if (drawn) stream.write('\n');
      drawn = false;
    },
  };
}

const show = (value: string | null) => (value === null ? '—' : JSON.stringify(value));

export function formatReport(report: RosterReport, limit = 200): string {
  const { departments: d, employees: e, released: r } = report;
  const seconds = ((Date.parse(report.finishedAt) - Date.parse(report.startedAt)) / 1000).toFixed(1);
  const lines = [
    `${report.mode === 'reconcile' ? '通讯录对账完成 Roster reconciliation finished' : '通讯录同步完成 Roster sync finished'} (tenant ${report.tenantId}, ${seconds} s)`,
    `部门 Departments: 新增 created ${d.created}, 更新 updated ${d.updated}, 未变 unchanged ${d.unchanged}` +
      (d.notOnPlatform.length ? `, 平台上已不存在 no longer on the platform: ${d.notOnPlatform.join(', ')}` : ''),
    `员工 Employees: 列出 listed ${e.listed}, 新增 created ${e.created}, 更新 updated ${e.updated}, 离职 left ${e.left}, 停用 disabled ${e.disabled}, 未变 unchanged ${e.unchanged}`,
    `离职处理 Released: 撤销会话 sessions revoked ${r.sessionsRevoked}, 移出面试 panel seats removed ${r.seatsRemoved}, 通知 HR notices queued ${r.hrNotices}`,
  ];
  if (r.interviewsWithoutHr.length) {
    lines.push(`无人负责的面试 Interviews with no HR to tell (${r.interviewsWithoutHr.length}): ${r.interviewsWithoutHr.join(', ')}`);
  }
  if (report.changes.length) {
    lines.push('变更 Changes:');
    const marks = { created: '+', updated: '~', left: '-', disabled: '!' } as const;
    for (const change of report.changes.slice(0, limit)) {
      const fields = Object.entries(change.fields)
        .map(([field, diff]) => `${field} ${show(diff.from)} → ${show(diff.to)}`)
        .join('; ');
      lines.push(`  ${marks[change.kind]} ${change.userId} (${change.kind}) ${fields}`);
    }
    if (report.changes.length > limit) lines.push(`  … 另有 ${report.changes.length - limit} 项 ${report.changes.length - limit} more (--json shows all)`);
  } else {
    lines.push('没有变更 No changes.');
  }
  return lines.join('\n');
}

/** A message that says what to do, for the errors an operator can act on. */
function explain(error: unknown): string {
  if (error instanceof DirectoryNotConfiguredError) {
    return `该租户未配置企业微信通讯录同步 No WeCom contacts sync for this tenant: ${error.message}`;
  }
  if (error instanceof WecomApiError) {
    const hint =
      error.errcode === 48002
        ? ' — the wecom_contacts app must use the 通讯录同步 (contacts-sync) secret'
        : error.errcode === 40001 || error.errcode === 40013
          ? ' — check the corp id and the contacts-sync secret'
          : error.errcode === 60020
            ? ' — add this server’s IP to the trusted IPs of 通讯录同步'
            : error.retryable
              ? ' — WeCom is busy or unreachable; try again later'
              : '';
    return `企业微信接口出错 WeCom API error: ${error.message}${hint}`;
  }
  if (error instanceof AppError) return error.message;
  const code = (error as { code?: string }).code;
  if (code === '42P01') return `数据库尚未迁移 The database is not migrated: run npm run db:migrate first (${(error as Error).message})`;
  return (error as Error)?.message ?? String(error);
}

async function main(): Promise<number> {
  let args;
  try {
    args = parseArgs({ options: { tenant: { type: 'string' }, reconcile: { type: 'boolean' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } } });
  } catch (error) {
    console.error(`${(error as Error).message}\n${usage}`);
    return 2;
  }
  if (args.values.help) {
    console.log(usage);
    return 0;
  }
  const tenantId = args.values.tenant;
  if (!tenantId || !/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(tenantId)) {
    console.error(`${tenantId ? `不是有效的租户 ID Not a tenant id: ${tenantId}` : '缺少 --tenant Missing --tenant'}\n${usage}`);
    return 2;
  }

  let config;
  try {
    config = loadConfig(process.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(`HireBridge cannot sync the roster. ${error.message}`);
      return 78; // EX_CONFIG, like the server
    }
    throw error;
  }
  // Logs go to stderr, below the progress bar: stdout carries the report only.
  const log = createLogger({ level: config.logLevel === 'info' ? 'warn' : config.logLevel, destination: process.stderr });
  const embedded = config.database.url
    ? undefined
    : await startEmbeddedPostgres({ dataDir: config.database.embeddedDataDir, port: config.database.embeddedPort, log });
  const database = connectDatabase({ url: config.database.url ?? embedded!.url, poolMax: 4, log, applicationName: 'hirebridge-sync-roster' });
  const progress = progressPrinter(process.stderr);
  try {
    const features: FeatureContext = { stores: postgresStores(database.db), transact: postgresTransact(database.db), clock: systemClock };
    const directoryFor = wecomDirectoryFor({
      findApp: (id) => features.stores.platform.findAppOfKind(id, 'wecom_contacts'),
      env: process.env,
      tokens: postgresTokenCache(database.db, systemClock),
      log,
    });
    const directory = await directoryFor(tenantId);
    const run = args.values.reconcile ? reconcileRoster : syncRoster;
    const report = await run(features, directory, tenantId, { onProgress: (p) => progress.update(p) });
    progress.finish();
    console.log(args.values.json ? JSON.stringify(report, null, 2) : formatReport(report));
    return 0;
  } catch (error) {
    progress.finish();
    if (error instanceof RosterSyncBusyError) {
      console.error(`${error.message} (another instance or the nightly reconciliation holds it)`);
      return 75; // EX_TEMPFAIL
    }
    console.error(`通讯录同步失败 Roster sync failed: ${explain(error)}`);
    // A tenant without a (readable) contacts-sync secret is a configuration problem, like the server's 78.
    return error instanceof DirectoryNotConfiguredError ? 78 : 1;
  } finally {
    await database.close();
    await embedded?.stop();
  }
}

// Run only as the command, so tests can import the printers without starting a sync.
if (process.argv[1] && fileURLToPath(import.meta.url) === resolve(process.argv[1])) {
  main().then(
    (code) => process.exit(code),
    (error: unknown) => {
      console.error(`通讯录同步失败 Roster sync failed: ${explain(error)}`);
      process.exit(1);
    },
  );
}
