// `npm run fuzz`: the per-release robustness check of the platform parsers (targets: ≥ 10^6 generated cases per
// entry point, 0 crashes, no input slower than 100 ms, heap growth under 50 MB). Not part of the test suite, which
// runs a few thousand cases per parser on every change. HB_FUZZ_RUNS sets the number of cases (default 1,000,000).
import { performance } from 'node:perf_hooks';
import fc from 'fast-check';
import { openDingtalkCallback } from '../../server/src/adapters/dingtalk/http-callback';
import { AibotPayloadRejectedError, parseAibotPayload } from '../../server/src/adapters/wecom/aibot/payload';
import { CallbackRejectedError, createCallbackCrypto } from '../../server/src/adapters/wecom/callback-crypto';
import { parseWecomXml, XmlRejectedError } from '../../server/src/adapters/wecom/xml';
import type { PlatformApp } from '../../server/src/features/platform';
import { fixedClock } from '../../server/src/ports/clock';

const runs = Number(process.env.HB_FUZZ_RUNS ?? 1_000_000);
const aesKey = 'jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C';
const clock = fixedClock('2026-11-22T08:00:00Z');

// Seeds that have broken XML parsers before: billion laughs, large and numeric entities, entity shadowing.
const xmlFragments = fc.constantFrom(
  '<xml>', '</xml>', '<MsgType>', '</MsgType>', '<![CDATA[', ']]>', '<Content>', '</Content>',
  '<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;">]>', '&lol2;', '&#x41;', '&#65;',
  '<!ENTITY xxe SYSTEM "file:///etc/passwd">', '&xxe;', '&amp;', '&lt;', '<?xml version="1.0"?>', '<a b="c">', '</a>', '<', '>', '"', "'",
);
const jsonFragments = fc.constantFrom(
  '{', '}', '[', ']', ',', ':', '"msgid"', '"aibotid"', '"chattype"', '"group"', '"text"', '"content"', '"from"', '"userid"',
  '"msgtype"', 'null', 'true', '1e309', '-0', '"\\u0000"', '"\\ud800"', '"__proto__"', '"constructor"', '"@机器人 约面"',
);

interface Result {
  readonly name: string;
  readonly runs: number;
  readonly crashes: number;
  readonly slowestMs: number;
  readonly heapGrowthMb: number;
  readonly example?: string;
}

function fuzz(name: string, inputs: fc.Arbitrary<string>, parse: (input: string) => unknown, rejections: readonly (new (...args: never[]) => Error)[]): Result {
  global.gc?.();
  const heapBefore = process.memoryUsage().heapUsed;
  let crashes = 0;
  let slowestMs = 0;
  let example: string | undefined;
  fc.assert(
    fc.property(inputs, (input) => {
      const started = performance.now();
      try {
        parse(input);
      } catch (error) {
        if (!rejections.some((type) => error instanceof type)) {
          crashes++;
          example ??= `${JSON.stringify(input).slice(0, 200)} → ${(error as Error).message}`;
        }
      }
      slowestMs = Math.max(slowestMs, performance.now() - started);
    }),
    { numRuns: runs },
  );
  global.gc?.();
  return { name, runs, crashes, slowestMs, heapGrowthMb: (process.memoryUsage().heapUsed - heapBefore) / 2 ** 20, ...(example && { example }) };
}

const dingtalkApp: PlatformApp = {
  id: '00000000-0000-4000-8000-000000000001', tenantId: '00000000-0000-4000-8000-000000000002', kind: 'dingtalk_app', corpId: 'dingcorp',
  agentId: 'dingappkey', numericAgentId: null, secretRef: 'env:X', callbackTokenRef: 'env:Y', encodingAesKeyRef: 'env:Z', apiBaseUrl: 'http://127.0.0.1:9', tenantIsDemo: false,
};
const dingtalkCrypto = createCallbackCrypto({ token: 'tok', encodingAesKey: aesKey, receiveId: 'dingappkey', clock, timestampUnit: 'milliseconds' });

const text = (fragments: fc.Arbitrary<string>) => fc.array(fc.oneof(fragments, fc.string({ maxLength: 12 })), { maxLength: 60 }).map((parts) => parts.join(''));

const results = [
  fuzz('WeCom XML (parseWecomXml)', text(xmlFragments), (input) => parseWecomXml(input), [XmlRejectedError]),
  fuzz('WeCom AI-bot JSON (parseAibotPayload)', text(jsonFragments), (input) => parseAibotPayload(input), [AibotPayloadRejectedError]),
  // The sealed path: what decrypts correctly still has to parse safely.
  fuzz(
    'DingTalk callback JSON inside a valid envelope (openDingtalkCallback)',
    text(jsonFragments),
    (input) => {
      const sealed = dingtalkCrypto.seal(input);
      return openDingtalkCallback(dingtalkApp, dingtalkCrypto, { signature: sealed.signature, timestamp: sealed.timestamp, nonce: sealed.nonce }, JSON.stringify({ encrypt: sealed.encrypt }));
    },
    [CallbackRejectedError],
  ),
];

console.log(`parser fuzzing, ${runs.toLocaleString('en')} generated inputs per parser`);
for (const r of results) {
  console.log(
    `${r.name}: ${r.crashes} crashes, slowest input ${r.slowestMs.toFixed(2)} ms, heap growth ${r.heapGrowthMb.toFixed(1)} MB${r.example ? `\n  first crash: ${r.example}` : ''}`,
  );
}
process.exit(results.some((r) => r.crashes > 0 || r.slowestMs > 100 || r.heapGrowthMb > 50) ? 1 : 0);
