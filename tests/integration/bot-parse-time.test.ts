import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ParsedTime } from '../../server/contracts';
import { readTime } from '../../server/src/features/bot';
import { fixedClock } from '../../server/src/ports/clock';
import { createTestApp, type TestApp } from '../support/app';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { createTenant, signIn, type TenantFixture } from '../support/fixtures';

/**
 * POST /api/bot/parse-time: natural Chinese time read in the tenant's zone at the server's now, aware of public
 * holidays and 调休; ambiguous input comes back as options (the bot asks with buttons), never a guess. Properties
 * (fast-check, fixed seed) go through `readTime`, the function the endpoint calls, and a sample of them through HTTP.
 * Monday 23 November 2026, 10:00 in Shanghai.
 */
const NOW = '2026-11-23T02:00:00Z';
const clock = fixedClock(NOW);
const TZ = 'Asia/Shanghai';
const SEED = 20261123;
const month = 30 * 86_400_000;

let db: TestDatabase;
let api: TestApp;
let acme: TenantFixture;
let hr: string;
let interviewer: string;

const parse = (token: string, text: string, extra: object = {}) => api.http.post('/api/bot/parse-time').set('authorization', `Bearer ${token}`).send({ text, ...extra });

beforeAll(async () => {
  db = await createTestDatabase();
  api = createTestApp(db, { clock });
  acme = await createTenant(db.db);
  hr = await signIn(db.db, acme, acme.employees.hr.id, month);
  interviewer = await signIn(db.db, acme, acme.employees.interviewer.id, month);
});
afterAll(async () => {
  await db?.drop();
});

describe('the endpoint', () => {
  it('reads an exact time in the tenant zone, with the end from the default duration and a canonical text', async () => {
    const answer = await parse(hr, '明天下午3点', { defaultDurationMinutes: 45 }).expect(200);
    expect(answer.body).toEqual({
      kind: 'exact', start: '2026-11-24T07:00:00.000Z', end: '2026-11-24T07:45:00.000Z', date: '2026-11-24',
      label: '11月24日（周二） 15:00–15:45', text: '2026年11月24日 15:00-15:45', warning: null,
    });
    expect((await parse(hr, '周五14:00-15:00').expect(200)).body).toMatchObject({ kind: 'exact', start: '2026-11-27T06:00:00.000Z', end: '2026-11-27T07:00:00.000Z' });
    expect((await parse(hr, '下周二上午十点半').expect(200)).body).toMatchObject({ kind: 'exact', start: '2026-12-01T02:30:00.000Z' });
    expect((await parse(hr, '后天').expect(200)).body).toMatchObject({ kind: 'window', date: '2026-11-25', start: '2026-11-25T01:00:00.000Z', end: '2026-11-25T10:00:00.000Z' });
  });

  it('asks back instead of guessing, with the readings to offer as buttons', async () => {
    const answer = await parse(hr, '3点').expect(200);
    expect(answer.body.kind).toBe('ambiguous');
    expect(answer.body.question).toContain('已经过去了');
    expect(answer.body.options[0]).toMatchObject({ kind: 'exact', start: '2026-11-23T07:00:00.000Z', text: '2026年11月23日 15:00' });
    // A button sends back the canonical text, which reads to exactly that option.
    expect((await parse(hr, answer.body.options[0].text).expect(200)).body).toMatchObject({ kind: 'exact', start: '2026-11-23T07:00:00.000Z' });
  });

  it('answers garbage with a stable code and an example, and refuses bad input and the wrong people', async () => {
    expect((await parse(hr, '国庆节').expect(200)).body).toEqual({ kind: 'invalid', code: 'unrecognized', message: expect.stringContaining('明天下午3点') });
    expect((await parse(hr, '').expect(200)).body).toMatchObject({ kind: 'invalid', code: 'empty' });
    expect((await parse(hr, 'x'.repeat(201)).expect(400)).body.code).toBe('VALIDATION_FAILED');
    expect((await parse(hr, '明天', { defaultDurationMinutes: 1 }).expect(400)).body.code).toBe('VALIDATION_FAILED');
    expect((await parse(interviewer, '明天下午3点').expect(403)).body.code).toBe('FORBIDDEN');
    expect((await api.http.post('/api/bot/parse-time').send({ text: '明天' }).expect(401)).body.code).toBe('UNAUTHENTICATED');
  });

  it('uses the tenant’s own zone', async () => {
    const ny = await createTenant(db.db);
    await db.db.updateTable('tenants').set({ time_zone: 'America/New_York' }).where('id', '=', ny.tenantId).execute();
    const token = await signIn(db.db, ny, ny.employees.hr.id, month);
    // 02:00Z is Sunday 22 November, 21:00 in New York: 明天 is the 23rd there.
    expect((await parse(token, '明天下午3点').expect(200)).body).toMatchObject({ kind: 'exact', date: '2026-11-23', start: '2026-11-23T20:00:00.000Z' });
  });

  it('knows public holidays and 调休: a holiday warns, a make-up Saturday does not', () => {
    const now = new Date('2026-09-28T02:00:00Z');
    expect(readTime('10月3日上午10点', { now, timeZone: TZ })).toMatchObject({ kind: 'exact', warning: '该日为法定节假日/周末' });
    expect(readTime('10月10日上午10点', { now, timeZone: TZ })).toMatchObject({ kind: 'exact', date: '2026-10-10', warning: null });
    expect(readTime('10月8日上午10点', { now, timeZone: TZ })).toMatchObject({ kind: 'exact', warning: null });
  });
});

// A generated corpus: day words × part of day × hour forms × minute forms, against an independent oracle.
const now = new Date(NOW);
const days = [
  { text: '明天', date: '2026-11-24' }, { text: '后天', date: '2026-11-25' }, { text: '周四', date: '2026-11-26' }, { text: '星期五', date: '2026-11-27' },
  { text: '礼拜四', date: '2026-11-26' }, { text: '下周二', date: '2026-12-01' }, { text: '下周三', date: '2026-12-02' }, { text: '12月3日', date: '2026-12-03' },
  { text: '12月4号', date: '2026-12-04' },
];
const parts = [
  { word: '上午', hours: [8, 9, 10, 11], to24: (h: number) => h },
  { word: '下午', hours: [1, 2, 3, 4, 5], to24: (h: number) => h + 12 },
];
const cnHours = ['零', '一', '两', '三', '四', '五', '六', '七', '八', '九', '十', '十一', '十二'];
const minuteForms = [
  { minutes: 0, write: (h: string) => `${h}点` },
  { minutes: 30, write: (h: string) => `${h}点半` },
  { minutes: 15, write: (h: string, n: number) => `${n}:15` },
  { minutes: 45, write: (h: string, n: number) => `${n}:45` },
  { minutes: 0, write: (h: string, n: number) => `${n}:00` },
];
const phrasing = fc.record({
  day: fc.constantFrom(...days),
  part: fc.constantFrom(...parts),
  hourIndex: fc.nat(4),
  chinese: fc.boolean(),
  minute: fc.constantFrom(...minuteForms),
  space: fc.constantFrom('', ' '),
});
const expectedInstant = (date: string, hour24: number, minutes: number) => new Date(`${date}T${String(hour24).padStart(2, '0')}:${String(minutes).padStart(2, '0')}:00+08:00`).toISOString();

function phrase(p: { day: (typeof days)[number]; part: (typeof parts)[number]; hourIndex: number; chinese: boolean; minute: (typeof minuteForms)[number]; space: string }) {
  const hour = p.part.hours[p.hourIndex % p.part.hours.length]!;
  const text = `${p.day.text}${p.space}${p.part.word}${p.minute.write(p.chinese ? cnHours[hour]! : String(hour), hour)}`;
  return { text, start: expectedInstant(p.day.date, p.part.to24(hour), p.minute.minutes) };
}

describe('properties of the endpoint’s parser', () => {
  it('reads a generated corpus of phrasings to the right instant, and its canonical text back to the same', () => {
    fc.assert(
      fc.property(phrasing, (p) => {
        const { text, start } = phrase(p);
        const result = ParsedTime.parse(readTime(text, { now, timeZone: TZ }));
        expect(result, text).toMatchObject({ kind: 'exact', start, warning: null });
        if (result.kind !== 'exact') return;
        expect(readTime(result.text, { now, timeZone: TZ })).toMatchObject({ kind: 'exact', start });
      }),
      { seed: SEED, numRuns: 400 },
    );
  });

  it('never throws and always answers within the contract; garbage gets a message with an example', () => {
    const anyText = fc.oneof(fc.string({ maxLength: 60 }), fc.string({ unit: 'grapheme', maxLength: 60 }), fc.string({ unit: 'binary', maxLength: 300 }), fc.constantFrom('明天下午', '3点', '下下下周', '13月40日', '周八', '25点', '明天下午3点到2点', '\u0000', '🙂🙂'));
    fc.assert(
      fc.property(anyText, (text) => {
        const result = ParsedTime.parse(readTime(text, { now, timeZone: TZ }));
        if (result.kind === 'invalid') {
          expect(result.message.length).toBeGreaterThan(4);
          if (result.code === 'unrecognized') expect(result.message).toContain('明天下午3点');
        }
        if (result.kind === 'ambiguous') expect(result.options.length).toBeGreaterThan(0);
        if (result.kind === 'exact' || result.kind === 'window') {
          expect(Date.parse(result.start)).toBeGreaterThanOrEqual(now.getTime() - 86_400_000);
          if (result.end) expect(Date.parse(result.end)).toBeGreaterThan(Date.parse(result.start));
        }
      }),
      { seed: SEED, numRuns: 1500 },
    );
  });

  it('gives the same answers over HTTP as the parser does (a sample of the corpus)', async () => {
    const samples = fc.sample(phrasing, { seed: SEED, numRuns: 25 }).map(phrase);
    for (const { text, start } of samples) {
      const answer = await parse(hr, text).expect(200);
      expect(answer.body, text).toMatchObject({ kind: 'exact', start });
    }
  });
});
