/** The check-in code from the reception QR code's URL (…?code=…) or the bare code. */
export function codeFromScan(text: string): string | null {
  const match = /[?&]code=([A-Za-z0-9_-]{22})(?:&|$)/.exec(text) ?? /^([A-Za-z0-9_-]{22})$/.exec(text.trim());
  return match?.[1] ?? null;
}
