/** Masking as people in China expect to see it: 138****5678, z***@example.com. */
export function maskPhone(phone: string): string {
  const digits = phone.replace(/^\+?86/, '');
  if (digits.length < 7) return '*'.repeat(digits.length);
  return `${digits.slice(0, 3)}****${digits.slice(-4)}`;
}

export function maskEmail(email: string): string {
  const at = email.indexOf('@');
  if (at <= 0) return '***';
  return `${email[0]}***${email.slice(at)}`;
}

/** PRC resident ID numbers: first 3 and last 4 characters, e.g. 110***********0021. */
export function maskIdNumber(idNumber: string): string {
  if (idNumber.length < 8) return '*'.repeat(idNumber.length);
  return `${idNumber.slice(0, 3)}${'*'.repeat(idNumber.length - 7)}${idNumber.slice(-4)}`;
}
