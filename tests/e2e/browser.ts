import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser } from 'playwright-core';

/** Debian's Chromium (apt-get install chromium fonts-wqy-microhei); `npx playwright install` cannot work here. */
export const chromiumPath = process.env.HB_CHROMIUM ?? '/usr/bin/chromium';
/** CI sets HB_REQUIRE_BROWSER=true: there a missing browser fails the run instead of skipping the browser tests. */
export const browserRequired = process.env.HB_REQUIRE_BROWSER === 'true';
export const browserAvailable = existsSync(chromiumPath);
export const skipBrowser = !browserAvailable && !browserRequired;
if (skipBrowser) console.warn(`browser tests skipped: no Chromium at ${chromiumPath} (apt-get install chromium fonts-wqy-microhei, or set HB_CHROMIUM)`);

export const repoRoot = path.resolve(import.meta.dirname, '..', '..');

/** Builds the mini-app for a platform when its sources changed since the last build (as `npm start` does). */
export function ensureBuilt(platform: 'h5' | 'weapp', settings: Record<string, string> = {}): string {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('HB_MINIAPP_')));
  const result = spawnSync(process.execPath, [path.join(repoRoot, 'miniapp/scripts/ensure-built.mjs'), platform], { encoding: 'utf8', env: { ...env, ...settings } });
  if (result.status !== 0) throw new Error(`the ${platform} build failed:\n${result.stderr}`);
  return path.join(repoRoot, 'miniapp', 'dist', platform);
}

/**
 * Headless Chromium (Playwright gives it a fresh profile) with the flags this machine needs: no background networking.
 * `args` adds flags, e.g. Chromium's fake microphone playing a WAV file.
 */
export async function launchBrowser(args: readonly string[] = []): Promise<Browser> {
  if (!browserAvailable) throw new Error(`no Chromium at ${chromiumPath}: apt-get install chromium fonts-wqy-microhei`);
  return chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      ...args,
    ],
  });
}
