// Literal secret values the test fixtures and the demo platform use (app/corp/contacts/kf secrets, AES keys, callback
// tokens, webhook keys and signing secrets). None of them may appear in any log line of the suite. Found with
//   grep -rhoE "(secret|aesKey|callbackToken|password|HB_…_SECRET)\s*[:=]\s*'…'" tests server/src/demo-platform.ts
// Values shorter than 8 characters or that read as ordinary words ('s', 'secret', 'wrong') are left out: they would
// match harmless text. Add a fixture's secret here when you add the fixture.
export const knownSecrets = Object.freeze([
  // WeCom's published sample EncodingAESKey and token (doc 91144), used by most WeCom fixtures.
  'jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C',
  'QDG6eK',
  // The demo platform (server/src/demo-platform.ts).
  'xinghe-demo-app-secret',
  'xinghe-demo-contacts-secret',
  'xinghedemotoken',
  'HireBridgeDemoEncodingAESKey0123456789abcde',
  'xinghe-demo-dingtalk-secret',
  // tests/simulator/src/testing/wecom-fixture.ts and other WeCom fixtures.
  'app-secret-1000002',
  'app-secret-1000003',
  'contacts-sync-secret',
  'contacts-secret-1',
  'roster-contacts-secret',
  'rosterCallbackToken',
  'kfCallbackToken',
  'hrCallbackToken',
  'hr-test-hr-secret',
  'hr-test-app-secret',
  'two-process-secret',
  'sim-app-secret-0001',
  'cal-sim-secret',
  'jsapi-secret',
  'kf-secret-pages',
  'kf-secret-0001',
  'kf-secret-1',
  'mp-secret-01',
  'mp-secret-1',
  'aibot-secret-0001',
  'aibot-long-connection-secret',
  'aibot-report-lc-secret',
  'plain-secret-value',
  // DingTalk fixtures.
  'stream-app-secret-0001',
  'stream-secret-01',
  'smart-hr-secret-01',
  'send-app-secret-0001',
  'chat-app-secret-0001',
  'roster-app-secret-01',
  'roster-app-secret',
  'nightly-secret-01',
  'layer-secret',
  'app-secret-0001',
  // Group robots: webhook keys / access tokens and 加签 secrets.
  'hook-token-0001',
  'hook-unpaced',
  'dt-robot-token',
  'robot-key-raw',
  'robot-key-hr',
  'SECsignsecret',
  'SECsecret',
  'bench-app-secret',
]);
