/**
 * Log hygiene: personal data and credentials never reach a log line. Keys that name such data are replaced
 * outright; every other string is scanned for the shapes of mainland mobile numbers, resident ID numbers, bearer
 * tokens, credentials in URLs and query strings.
 */
const sensitiveKey = /pass(word)?|secret|token|authori[sz]ation|cookie|phone|mobile|id_?(card|number)|e_?mail|aes_?key|signature|echostr|session_?key|private_?key|ticket/i;

const patterns: [RegExp, (match: string, ...groups: string[]) => string][] = [
  // PEM private keys (a pasted key file in an error message).
  [/-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?(?:-----END [A-Z ]*PRIVATE KEY-----|$)/g, () => '[private-key]'],
  // Credentials inside JSON text (a platform's answer quoted in an error): "access_token":"…", "secret": "…".
  [/("[A-Za-z_]*(?:token|secret|password|session_key|aes_?key|ticket)"\s*:\s*")(?:[^"\\]|\\.)*"/gi, (_m, head: string) => `${head}[redacted]"`],
  // Resident identity card numbers: 17 digits and a check character.
  [/(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])/g, () => '[id-number]'],
  // Mainland mobile numbers, with or without +86: keep the first three and last four digits, as the UI does.
  // Written with or without separators (138 1234 5678, 138-1234-5678).
  [/(?<![\d-])(?:\+?86[- ]?)?(1[3-9]\d)[- ]?\d{4}[- ]?(\d{4})(?![\d-])/g, (_m, head: string, tail: string) => `${head}****${tail}`],
  [/\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]+/gi, (_m, scheme: string) => `${scheme} [redacted]`],
  [/((?<![A-Za-z0-9_.-])(?:access_token|token|secret|corpsecret|appsecret|password|key|sign|signature|msg_signature|echostr|ticket|js_code|auth_code|session_key)=)[^&\s"']+/gi, (_m, name: string) => `${name}[redacted]`],
  [/(\b[a-z][a-z0-9+.-]*:\/\/[^:/\s@]+:)[^@\s/]+@/gi, (_m, prefix: string) => `${prefix}[redacted]@`],
];

export function scrubText(text: string): string {
  let result = text;
  for (const [pattern, replace] of patterns) result = result.replace(pattern, replace as (m: string) => string);
  return result;
}

export function scrubValue(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return scrubText(value);
  if (value === null || typeof value !== 'object' || depth > 8) return value;
  if (value instanceof Date || Buffer.isBuffer(value)) return value;
  if (value instanceof Error) {
    const plain: Record<string, unknown> = { name: value.name, message: scrubText(value.message) };
    if (value.stack) plain.stack = scrubText(value.stack);
    const code = (value as { code?: unknown }).code;
    if (code !== undefined) plain.code = code;
    if (value.cause !== undefined) plain.cause = scrubValue(value.cause, depth + 1);
    return plain;
  }
  if (Array.isArray(value)) return value.map((item) => scrubValue(item, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    out[key] = sensitiveKey.test(key) && item !== undefined && item !== null ? '[redacted]' : scrubValue(item, depth + 1);
  }
  return out;
}
