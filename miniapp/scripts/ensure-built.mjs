#!/usr/bin/env node
/**
 * Builds the mini-app for a platform (h5 or weapp) unless dist/<platform> is newer than every source file. `npm start`
 * and the browser tests call it, so a fresh clone gets the pages without a separate step.
 * Usage: node miniapp/scripts/ensure-built.mjs h5|weapp [--force]
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const platform = process.argv[2];
if (platform !== 'h5' && platform !== 'weapp') {
  console.error('usage: ensure-built.mjs h5|weapp [--force]');
  process.exit(64);
}

function newest(dir) {
  let latest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    latest = Math.max(latest, entry.isDirectory() ? newest(full) : statSync(full).mtimeMs);
  }
  return latest;
}

const marker = path.join(root, 'dist', platform, platform === 'h5' ? 'index.html' : 'app.json');
const sources = Math.max(newest(path.join(root, 'src')), newest(path.join(root, 'config')), statSync(path.join(root, 'package.json')).mtimeMs);
let built;
try {
  built = statSync(marker).mtimeMs;
} catch {
  built = 0;
}
// The build bakes in HB_MINIAPP_* settings (API address, subscription templates): a change in them means a rebuild.
const stampFile = path.join(root, 'dist', platform, '.build-settings.json');
const settings = JSON.stringify(Object.fromEntries(Object.entries(process.env).filter(([k]) => k.startsWith('HB_MINIAPP_')).sort()));
let stamp;
try {
  stamp = readFileSync(stampFile, 'utf8');
} catch {
  stamp = '';
}
if (!process.argv.includes('--force') && built > sources && stamp === settings) process.exit(0);

console.error(`building the ${platform} mini-app (miniapp/dist/${platform}) …`);
const started = Date.now();
const cli = createRequire(path.join(root, 'package.json')).resolve('@tarojs/cli/bin/taro');
const result = spawnSync(process.execPath, [cli, 'build', '--type', platform], {
  cwd: root,
  stdio: ['ignore', 'ignore', 'inherit'],
  env: { ...process.env, NODE_ENV: 'production', BROWSERSLIST_IGNORE_OLD_DATA: '1' },
});
if (result.status !== 0) {
  console.error(`the ${platform} build failed (exit ${result.status}); run "npm run build:${platform}" to see why`);
  process.exit(result.status ?? 1);
}
writeFileSync(stampFile, settings);
console.error(`built the ${platform} mini-app in ${((Date.now() - started) / 1000).toFixed(1)} s`);
