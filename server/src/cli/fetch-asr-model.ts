import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { findModelFiles } from '../adapters/asr/local-sherpa';

/**
 * `npm run asr:fetch-model -- --dir <dir> --sha256 <hex>`: downloads the streaming Chinese model for the on-premises
 * engine (k2-fsa sherpa-onnx-streaming-zipformer-zh-14M-2023-02-23, Apache-2.0) on a machine with internet, checks
 * its SHA-256 and unpacks it into <dir>; then set HB_ASR_LOCAL_MODEL_DIR=<dir>. No checksum is recorded in the project
 * (it could not be verified where the project is built): without --sha256 the command downloads, prints the checksum it
 * computed and installs nothing, so an operator compares it with the release (or an internal artefact store) and
 * runs again with it. Exit codes: 0 installed, 1 failed, 2 usage, 3 checksum not given or different.
 */
export const defaultModelName = 'sherpa-onnx-streaming-zipformer-zh-14M-2023-02-23';
export const defaultModelUrl = `https://github.com/k2-fsa/sherpa-onnx/releases/download/asr-models/${defaultModelName}.tar.bz2`;

const usage = `用法 Usage: npm run asr:fetch-model -- --dir <目录 directory> [--sha256 <hex>] [--url <archive URL>]
  --dir     模型安装目录（之后设置 HB_ASR_LOCAL_MODEL_DIR 为该目录）Where the model goes (then set HB_ASR_LOCAL_MODEL_DIR)
  --sha256  压缩包的 SHA-256；缺省时只下载并打印校验和，不安装 Expected SHA-256 of the archive; without it nothing is installed
  --url     压缩包地址（如内部制品库）Archive URL (e.g. an internal mirror); default ${defaultModelUrl}`;

async function main(argv: readonly string[]): Promise<number> {
  let args: { dir?: string; sha256?: string; url?: string; help?: boolean };
  try {
    args = parseArgs({ args: [...argv], options: { dir: { type: 'string' }, sha256: { type: 'string' }, url: { type: 'string' }, help: { type: 'boolean' } } }).values;
  } catch (error) {
    console.error(`${(error as Error).message}\n${usage}`);
    return 2;
  }
  if (args.help || !args.dir) {
    console.error(usage);
    return args.help ? 0 : 2;
  }
  const expected = args.sha256?.toLowerCase();
  if (expected !== undefined && !/^[0-9a-f]{64}$/.test(expected)) {
    console.error(`--sha256 需要 64 位十六进制。--sha256 must be 64 hex digits.\n${usage}`);
    return 2;
  }
  const dir = resolve(args.dir);
  if (findModelFiles(dir)) {
    console.log(`模型已在 ${dir}。The model is already in ${dir}; HB_ASR_LOCAL_MODEL_DIR=${dir}`);
    return 0;
  }
  const url = args.url ?? defaultModelUrl;
  const work = mkdtempSync(join(tmpdir(), 'hirebridge-asr-model-'));
  try {
    const archive = join(work, 'model.tar.bz2');
    console.log(`下载 Downloading ${url}`);
    const response = await fetch(url, { redirect: 'follow' });
    if (!response.ok || !response.body) {
      console.error(`下载失败 Download failed: HTTP ${response.status}`);
      return 1;
    }
    const hash = createHash('sha256');
    const body = Readable.fromWeb(response.body as WebReadableStream<Uint8Array>);
    body.on('data', (chunk: Buffer) => hash.update(chunk));
    await pipeline(body, createWriteStream(archive));
    const actual = hash.digest('hex');
    console.log(`SHA-256 ${actual}`);
    if (expected === undefined) {
      console.error('未安装：请与发布页核对上面的校验和后，用 --sha256 重新运行。Not installed: compare the checksum above with the release, then run again with --sha256.');
      return 3;
    }
    if (actual !== expected) {
      console.error(`校验和不符，已丢弃。Checksum mismatch (expected ${expected}); the download was discarded.`);
      return 3;
    }
    const unpacked = join(work, 'unpacked');
    mkdirSync(unpacked);
    const tar = spawnSync('tar', ['-xjf', archive, '-C', unpacked], { stdio: 'inherit' });
    if (tar.status !== 0) {
      console.error('解压失败（需要 tar 和 bzip2）。Unpacking failed (tar and bzip2 are needed).');
      return 1;
    }
    const top = readdirSync(unpacked);
    const source = top.length === 1 && top[0] ? join(unpacked, top[0]) : unpacked;
    if (!findModelFiles(source)) {
      console.error('压缩包里没有 encoder/decoder/joiner 和 tokens.txt。The archive holds no streaming transducer model.');
      return 1;
    }
    if (existsSync(dir)) rmSync(dir, { recursive: true });
    mkdirSync(resolve(dir, '..'), { recursive: true });
    renameSync(source, dir);
    console.log(`已安装 Installed. 设置 Set HB_ASR_ENGINE=local HB_ASR_LOCAL_MODEL_DIR=${dir}`);
    return 0;
  } catch (error) {
    console.error(`失败 Failed: ${(error as Error).message}`);
    return 1;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === resolve(process.argv[1])) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}

export { main as fetchAsrModel };
