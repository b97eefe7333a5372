import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from './logger';
import { scrubText, scrubValue } from './scrub';

describe('log scrubbing', () => {
  it('masks mainland mobile numbers the way the UI does', () => {
    expect(scrubText('call 13812345678, +86 139-0000-1234 or +8613712345678 / 158 1111 2222')).toBe(
      'call 138****5678, 139****1234 or 137****5678 / 158****2222',
    );
    // Long digit runs (order numbers, timestamps) are not phone numbers.
    expect(scrubText('order 2026112212345678901')).toBe('order 2026112212345678901');
  });

  it('removes resident ID numbers, bearer tokens, credentials in URLs and query strings', () => {
    expect(scrubText('id 11010519491231002X ok')).toBe('id [id-number] ok');
    expect(scrubText('Authorization: Bearer abc.DEF-123_x')).toBe('Authorization: Bearer [redacted]');
    expect(scrubText('postgres://app:s3cret@db:5432/hire')).toBe('postgres://app:[redacted]@db:5432/hire');
    expect(scrubText('GET /cgi-bin/gettoken?corpid=ww1&corpsecret=abcd&x=1')).toBe('GET /cgi-bin/gettoken?corpid=ww1&corpsecret=[redacted]&x=1');
    expect(scrubText('/send?access_token=XYZ')).toBe('/send?access_token=[redacted]');
  });

  it('replaces values under sensitive keys at any depth, and scrubs errors', () => {
    const out = scrubValue({
      user: { phone: '13812345678', profile: { idNumber: '110105194912310021', note: 'tel 13912345678' } },
      headers: { authorization: 'Bearer x', cookie: 'sid=1' },
      err: new Error('insert failed for 13612345678'),
      token: 'abc',
      list: ['13512345678'],
    }) as Record<string, unknown>;
    expect(JSON.stringify(out)).not.toMatch(/1[3-9]\d{9}|110105194912310021|Bearer x|sid=1|"abc"/);
    expect(out).toMatchObject({ user: { phone: '[redacted]', profile: { idNumber: '[redacted]', note: 'tel 139****5678' } }, token: '[redacted]' });
    expect((out.err as { message: string }).message).toBe('insert failed for 136****5678');
  });

  it('applies to every line the logger writes, messages included', async () => {
    const lines: string[] = [];
    const log = createLogger({
      level: 'info',
      destination: new Writable({
        write(chunk: Buffer, _e, done) {
          lines.push(chunk.toString());
          done();
        },
      }),
    });
    log.info({ candidate: { mobile: '13812345678' }, secret: 'hunter2' }, 'created candidate 13812345678 with token=abc123');
    log.error({ err: Object.assign(new Error('dup key (phone)=(13812345678)'), { code: '23505' }) }, 'failed');
    const text = lines.join('');
    expect(text).not.toContain('13812345678');
    expect(text).not.toContain('hunter2');
    expect(text).not.toContain('abc123');
    expect(text).toContain('138****5678');
  });
});

describe('log scrubbing, second line', () => {
  const capture = () => {
    const lines: string[] = [];
    const destination = new Writable({
      write(chunk: Buffer, _e, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    return { lines, log: createLogger({ level: 'info', destination }) };
  };

  it('removes credentials quoted as JSON, private keys and one-time codes in query strings', () => {
    expect(scrubText('answer {"errcode":0,"access_token":"tok-1","expires_in":7200}')).toBe('answer {"errcode":0,"access_token":"[redacted]","expires_in":7200}');
    expect(scrubText('key -----BEGIN PRIVATE KEY-----\nMIIEv\n-----END PRIVATE KEY----- end')).toBe('key [private-key] end');
    expect(scrubText('wss://gw/connect?ticket=abc-123&x=1')).toBe('wss://gw/connect?ticket=[redacted]&x=1');
    expect(scrubText('access_token=abc')).toBe('access_token=[redacted]');
    expect(scrubText('cache_key=abc')).toBe('cache_key=abc');
  });

  it('scrubs the message an error lends to log.error(err), and child bindings', () => {
    const { lines, log } = capture();
    log.error(new Error('duplicate key (phone)=(13812345678)'));
    log.child({ session_key: 'sk-1', note: 'for 13912345678' }).info('child');
    const text = lines.join('');
    expect(text).not.toMatch(/13812345678|13912345678|sk-1/);
    expect(text).toContain('"msg":"duplicate key (phone)=(138****5678)"');
  });

  it('redacts authorization headers wherever a request is logged', () => {
    const { lines, log } = capture();
    log.info({ req: { headers: { authorization: 'Bearer abc', 'x-hb-session': 'sess' } } }, 'req');
    expect(lines.join('')).not.toMatch(/Bearer abc|sess"/);
  });
});
