#!/usr/bin/env node
// Scans the NDJSON log lines captured during a test run (HB_LOG_CAPTURE_DIR, see
// server/src/observability/log-capture.ts) for personal data and credentials that must never reach a log:
// mainland mobile numbers, resident ID numbers (checksum-validated), bearer and session tokens, unmasked
// access_token= values, credentials in URLs and JSON, PEM private keys and the literal secrets of the test fixtures.
//
//   node tests/log-scan/scan-logs.mjs <dir> [--require-lines]
//
// Prints `log scan: <files> files, <lines> lines, <n> findings` and up to 20 findings (file:line, kind, masked
// excerpt). Exits 1 on findings (or, with --require-lines, when nothing was captured), 2 on a usage error.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { knownSecrets } from './known-secrets.mjs';

/** Values that say "hidden" rather than hold a secret. */
const maskedValue = /^(?:\*+|\[redacted\]|%5Bredacted%5D|\[id-number\]|\[private-key\]|<redacted>|redacted|x{3,})$/i;

const idWeights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const idCheck = '10X98765432';

/** True for an 18-character PRC resident ID number: region, a real birth date, and a valid check character. */
export function isResidentIdNumber(text) {
  if (!/^[1-9]\d{16}[\dXx]$/.test(text)) return false;
  const year = Number(text.slice(6, 10));
  const month = Number(text.slice(10, 12));
  const day = Number(text.slice(12, 14));
  if (year < 1900 || year > 2100 || month < 1 || month > 12 || day < 1) return false;
  if (day > new Date(Date.UTC(year, month, 0)).getUTCDate()) return false;
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(text[i]) * idWeights[i];
  return idCheck[sum % 11] === text[17].toUpperCase();
}

const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The run of identifier characters around [start, end) (a UUID, a hex id, a base64 token...). */
function tokenAround(line, start, end) {
  let from = start;
  let to = end;
  while (from > 0 && /[0-9A-Za-z_-]/.test(line[from - 1])) from--;
  while (to < line.length && /[0-9A-Za-z_-]/.test(line[to])) to++;
  return line.slice(from, to);
}

/** A digit run inside a UUID or a long hex id is part of an identifier, not a phone number. */
function insideIdentifier(line, start, end) {
  const around = tokenAround(line, start, end);
  return uuid.test(around) || (around.length >= 16 && /^[0-9a-f-]+$/i.test(around));
}

/**
 * Detectors: each finds matches in one line and says which part of the match is the secret (the group `value`, or the
 * whole match) and whether it counts.
 */
const detectors = [
  {
    kind: 'mobile number',
    pattern: /(?<!\d)(?:\+?86[- ]?)?1[3-9]\d(?:[- ]?\d{4}){2}(?!\d)/g,
    keep: (match, line, start, end) => !insideIdentifier(line, start, end),
  },
  {
    kind: 'resident ID number',
    pattern: /(?<!\d)\d{17}[\dXx](?!\d)/g,
    keep: (match) => isResidentIdNumber(match),
  },
  {
    kind: 'bearer token',
    pattern: /\b(?:Bearer|Basic)\s+(?<value>[A-Za-z0-9._~+/=-]{8,})/gi,
  },
  {
    // A session id of server/src/features/sessions (32 random bytes, base64url) or anything shaped like one.
    kind: 'session-like token',
    pattern: /(?<![A-Za-z0-9_-])[A-Za-z0-9_-]{43}(?![A-Za-z0-9_=-])/g,
    keep: (match) => /[A-Z]/.test(match) && /[a-z]/.test(match) && /\d/.test(match),
  },
  {
    kind: 'credential in query string',
    pattern: /(?<![A-Za-z0-9_])(?:access_token|corpsecret|appsecret|secret|password|session_key|ticket|js_code|auth_code)=(?<value>[^&\s"'\\]+)/gi,
  },
  {
    kind: 'credential in JSON',
    pattern: /\\?"(?:access_?token|accessToken|refresh_?token|app_?secret|appSecret|corp_?secret|secret|password|session_?key|encodingAESKey|encodingAesKey|aes_?key)\\?"\s*:\s*\\?"(?<value>[^"\\]+)\\?"/gi,
  },
  {
    kind: 'password in URL',
    pattern: /\b[a-z][a-z0-9+.-]*:\/\/[^:/\s@"]+:(?<value>[^@\s/"]+)@/gi,
  },
  {
    kind: 'PEM private key',
    pattern: /-----BEGIN [A-Z ]*PRIVATE KEY-----/g,
  },
];

function escapeRegExp(text) {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Finds the secrets in one log line: [{ kind, start, end }] for the secret part of each match. */
export function scanLine(line, secrets = knownSecrets) {
  const found = [];
  const overlaps = (start, end) => found.some((f) => f.start < end && start < f.end);
  // Fixture secrets first (the most telling name), longest first: 'app-secret-1000002' is one finding, not also
  // 'app-secret-1'.
  for (const secret of [...secrets].filter(Boolean).sort((a, b) => b.length - a.length)) {
    for (const match of line.matchAll(new RegExp(escapeRegExp(secret), 'g'))) {
      const start = match.index;
      const end = start + secret.length;
      if (!overlaps(start, end)) found.push({ kind: 'fixture secret', start, end });
    }
  }
  for (const { kind, pattern, keep } of detectors) {
    for (const match of line.matchAll(pattern)) {
      const value = match.groups?.value ?? match[0];
      const start = match.index + (match.groups?.value === undefined ? 0 : match[0].lastIndexOf(value));
      const end = start + value.length;
      if (maskedValue.test(value)) continue;
      if (keep && !keep(match[0], line, match.index, match.index + match[0].length)) continue;
      if (!overlaps(start, end)) found.push({ kind, start, end });
    }
  }
  return found.sort((a, b) => a.start - b.start);
}

/** The secret with only its edges left: 13812345678 -> 138******78. Same length, so positions stay valid. */
export function mask(value) {
  if (value.length <= 6) return '*'.repeat(value.length);
  return value.slice(0, 3) + '*'.repeat(value.length - 5) + value.slice(-2);
}

/** The line around one finding, with every finding of the line masked. */
export function excerpt(line, findings, finding, radius = 40) {
  let masked = line;
  for (const f of findings) masked = masked.slice(0, f.start) + mask(masked.slice(f.start, f.end)) + masked.slice(f.end);
  const from = Math.max(0, finding.start - radius);
  const to = Math.min(masked.length, finding.end + radius);
  return `${from > 0 ? '…' : ''}${masked.slice(from, to)}${to < masked.length ? '…' : ''}`;
}

/** Scans every *.ndjson file in dir: { files, lines, findings: [{ file, line, kind, excerpt }] }. */
export function scanDirectory(dir, secrets = knownSecrets) {
  const result = { files: 0, lines: 0, findings: [] };
  if (!existsSync(dir)) return result;
  for (const name of readdirSync(dir).filter((n) => n.endsWith('.ndjson')).sort()) {
    result.files++;
    const text = readFileSync(join(dir, name), 'utf8');
    const lines = text.split('\n');
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i];
      if (line.trim() === '') continue;
      result.lines++;
      const findings = scanLine(line, secrets);
      for (const finding of findings) {
        result.findings.push({ file: name, line: i + 1, kind: finding.kind, excerpt: excerpt(line, findings, finding) });
      }
    }
  }
  return result;
}

/** The report: the summary line, then up to `limit` findings. */
export function formatReport(result, limit = 20) {
  const out = [`log scan: ${result.files} files, ${result.lines} lines, ${result.findings.length} findings`];
  for (const f of result.findings.slice(0, limit)) out.push(`  ${f.file}:${f.line} ${f.kind}: ${f.excerpt}`);
  if (result.findings.length > limit) out.push(`  … and ${result.findings.length - limit} more`);
  return out.join('\n');
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const args = process.argv.slice(2);
  const requireLines = args.includes('--require-lines');
  const dir = args.find((a) => !a.startsWith('--'));
  if (!dir) {
    console.error(`usage: node ${basename(process.argv[1])} <capture-dir> [--require-lines]`);
    process.exit(2);
  }
  const result = scanDirectory(dir);
  console.log(formatReport(result));
  if (requireLines && result.lines === 0) console.log(`log scan: no log line was captured in ${dir}: is HB_LOG_CAPTURE_DIR reaching the loggers?`);
  process.exit(result.findings.length > 0 || (requireLines && result.lines === 0) ? 1 : 0);
}
