export interface LineFinding {
  readonly kind: string;
  readonly start: number;
  readonly end: number;
}
export interface ScanFinding {
  readonly file: string;
  readonly line: number;
  readonly kind: string;
  readonly excerpt: string;
}
export interface ScanResult {
  files: number;
  lines: number;
  findings: ScanFinding[];
}
export function isResidentIdNumber(text: string): boolean;
export function scanLine(line: string, secrets?: readonly string[]): LineFinding[];
export function mask(value: string): string;
export function excerpt(line: string, findings: readonly LineFinding[], finding: LineFinding, radius?: number): string;
export function scanDirectory(dir: string, secrets?: readonly string[]): ScanResult;
export function formatReport(result: ScanResult, limit?: number): string;
