import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../server/src/observability/logger';
import { formatReport, isResidentIdNumber, scanDirectory, scanLine } from './scan-logs.mjs';

const line = (fields: Record<string, unknown>) =>
  JSON.stringify({ level: 'info', time: '2026-11-22T05:30:00.123Z', service: 'hirebridge', ...fields });
const kinds = (text: string) => scanLine(text).map((f) => f.kind);

const dirs: string[] = [];
const tempDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'hb-log-scan-test-'));
  dirs.push(dir);
  return dir;
};
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

describe('log scan', () => {
  it('finds mobile numbers, bare and in +86 or separated forms', () => {
    expect(kinds(line({ msg: 'created candidate 13812345678' }))).toEqual(['mobile number']);
    expect(kinds(line({ msg: '手机13912345678已绑定' }))).toEqual(['mobile number']);
    expect(kinds(line({ msg: 'call +8613712345678' }))).toEqual(['mobile number']);
    expect(kinds(line({ msg: 'call +86 158-1111-2222' }))).toEqual(['mobile number']);
    expect(kinds(line({ contact: { tel: '158 1111 2222' } }))).toEqual(['mobile number']);
  });

  it('finds resident ID numbers with a valid check character only', () => {
    expect(isResidentIdNumber('11010519491231002X')).toBe(true);
    expect(isResidentIdNumber('440304199001011233')).toBe(true);
    expect(isResidentIdNumber('440304199001011232')).toBe(false); // wrong check digit
    expect(isResidentIdNumber('440304199013011233')).toBe(false); // month 13
    expect(kinds(line({ msg: 'id 11010519491231002X on file' }))).toEqual(['resident ID number']);
    expect(kinds(line({ note: '440304199001011233' }))).toEqual(['resident ID number']);
    // 18-digit numbers that are not ID numbers: order ids, snowflakes, nanosecond times.
    expect(kinds(line({ orderId: '440304199001011232', snowflake: '202611221234567890', ns: '1763790000123456789' }))).toEqual([]);
  });

  it('finds bearer tokens, session ids, credentials in query strings, JSON and URLs, private keys', () => {
    const session = randomBytes(32).toString('base64url');
    expect(kinds(line({ msg: 'Authorization: Bearer eyJhbGciOi.payload.sig' }))).toEqual(['bearer token']);
    expect(kinds(line({ msg: `signed in, session ${session}` }))).toEqual(['session-like token']);
    expect(kinds(line({ url: '/cgi-bin/message/send?access_token=ACCESS_TOKEN_abc123&debug=1' }))).toEqual(['credential in query string']);
    expect(kinds(line({ url: '/cgi-bin/gettoken?corpid=ww1&corpsecret=abcd' }))).toEqual(['credential in query string']);
    expect(kinds(line({ err: { message: 'bad answer {"errcode":0,"access_token":"tok-123"}' } }))).toEqual(['credential in JSON']);
    expect(kinds(line({ appSecret: 'live-value' }))).toEqual(['credential in JSON']);
    expect(kinds(line({ msg: 'connecting to postgres://app:s3cr3t@db:5432/hire' }))).toEqual(['password in URL']);
    expect(kinds(line({ err: { message: '-----BEGIN PRIVATE KEY-----\nMIIEvQ...' } }))).toEqual(['PEM private key']);
  });

  it('finds the literal secrets of the test fixtures, once per occurrence', () => {
    expect(kinds(line({ msg: 'app app-secret-1000002 rejected' }))).toEqual(['fixture secret']);
    expect(kinds(line({ key: 'jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C' }))).toEqual(['fixture secret']);
    expect(kinds(line({ msg: 'sign with SECsignsecret' }))).toEqual(['fixture secret']);
  });

  it('does not flag UUIDs, timestamps, request ids, hashes or masked values', () => {
    const clean = [
      line({ requestId: '550e8400-e29b-41d4-a716-446655440000', msg: 'request', route: '/api/candidates/:id', status: 200, ms: 13.8 }),
      line({ requestId: 'b13812345678a9c0d1e2f3a4b5c6d7e8', candidate: 'f8138123-4567-4d4e-9a13-813812345678' }),
      line({ at: '2026-11-22T13:45:12.345+08:00', epochMs: 1763790312345, epochS: 1763790312, msg: 'tick' }),
      line({ msg: 'created candidate 138****5678', phone: '[redacted]', idNumber: '[redacted]', note: 'id [id-number]' }),
      line({ url: '/cgi-bin/message/send?access_token=[redacted]', other: '/send?access_token=***', token: '[redacted]' }),
      line({ msg: 'Authorization: Bearer [redacted]', db: 'postgres://app:[redacted]@db:5432/hire' }),
      line({ sha256: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855', msgId: 'msgCAIQ12345678' }),
      line({ msg: 'HireBridge listening on http://127.0.0.1:41235', pid: 13812, hostname: 'runner-1' }),
      line({ secret_ref: 'env:BEICHEN_APP_SECRET', accessToken: '[redacted]', path: '/v1.0/oauth2/accessToken' }),
    ];
    for (const text of clean) expect(scanLine(text), text).toEqual([]);
  });

  it('reads a capture directory and reports masked findings', () => {
    const dir = tempDir();
    writeFileSync(join(dir, '1-a.ndjson'), `${line({ msg: 'ok' })}\n${line({ msg: 'created 13812345678' })}\n`);
    writeFileSync(join(dir, '2-b.ndjson'), `${line({ msg: 'ok' })}\n`);
    writeFileSync(join(dir, 'ignored.txt'), '13812345678\n');
    const result = scanDirectory(dir);
    expect(result).toMatchObject({ files: 2, lines: 3, findings: [{ file: '1-a.ndjson', line: 2, kind: 'mobile number' }] });
    const report = formatReport(result);
    expect(report.split('\n')[0]).toBe('log scan: 2 files, 3 lines, 1 findings');
    expect(report).toContain('138******78');
    expect(report).not.toContain('13812345678');
  });

  it('sees what a silent logger would have written, scrubbed at the source', () => {
    const dir = tempDir();
    const previous = process.env.HB_LOG_CAPTURE_DIR;
    process.env.HB_LOG_CAPTURE_DIR = dir;
    try {
      // A fresh global slot: this process may already capture into the suite's directory.
      const slot = Symbol.for('hirebridge.logCapture');
      const holder = globalThis as Record<symbol, unknown>;
      const saved = holder[slot];
      delete holder[slot];
      try {
        const log = createLogger({ level: 'silent' });
        log.debug({ candidate: { phone: '13812345678' }, headers: { authorization: 'Bearer abcdefgh12345' } }, 'hello 13912345678');
        log.info({ url: '/cgi-bin/message/send?access_token=tok-abc-123' }, 'sent');
        log.error(new Error('duplicate key (id_number)=(11010519491231002X)'));
        log.trace('not captured below debug');
      } finally {
        holder[slot] = saved;
      }
    } finally {
      if (previous === undefined) delete process.env.HB_LOG_CAPTURE_DIR;
      else process.env.HB_LOG_CAPTURE_DIR = previous;
    }
    const result = scanDirectory(dir);
    expect(result).toMatchObject({ files: 1, lines: 3, findings: [] });
    const captured = readFileSync(join(dir, readdirSync(dir)[0]!), 'utf8');
    expect(captured).toContain('hello 139****5678');
    expect(captured).toContain('"msg":"duplicate key (id_number)=([id-number])"');
  });
});
