/**
 * Button keys: what a card's button must remember until it is clicked (the action and its arguments), written into
 * the key itself so the bot keeps no state between the card and the click. `hb1.` + base64url(JSON), ≤ 1024 chars.
 */
export type CardAction =
  | { readonly a: 'schedule'; readonly app: string; readonly round: string; readonly at: string; readonly panel: readonly string[] }
  | { readonly a: 'reschedule'; readonly iv: string; readonly at: string }
  | { readonly a: 'cancel'; readonly iv: string; readonly reason: string }
  | { readonly a: 'dismiss' };

const prefix = 'hb1.';
export const maxKeyLength = 1024;

export function encodeKey(action: CardAction): string {
  const key = prefix + Buffer.from(JSON.stringify(action), 'utf8').toString('base64url');
  if (key.length > maxKeyLength) throw new Error('card key too long');
  return key;
}

export function decodeKey(key: string): CardAction | undefined {
  if (typeof key !== 'string' || !key.startsWith(prefix) || key.length > maxKeyLength) return undefined;
  try {
    const value = JSON.parse(Buffer.from(key.slice(prefix.length), 'base64url').toString('utf8')) as Record<string, unknown>;
    const str = (v: unknown): v is string => typeof v === 'string' && v.length > 0 && v.length <= 500;
    switch (value.a) {
      case 'schedule':
        return str(value.app) && str(value.round) && str(value.at) && Array.isArray(value.panel) && value.panel.every(str)
          ? { a: 'schedule', app: value.app, round: value.round, at: value.at, panel: value.panel as string[] } : undefined;
      case 'reschedule':
        return str(value.iv) && str(value.at) ? { a: 'reschedule', iv: value.iv, at: value.at } : undefined;
      case 'cancel':
        return str(value.iv) && str(value.reason) ? { a: 'cancel', iv: value.iv, reason: value.reason } : undefined;
      case 'dismiss':
        return { a: 'dismiss' };
      default:
        return undefined;
    }
  } catch {
    return undefined;
  }
}
