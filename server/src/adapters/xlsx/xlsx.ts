import { writeZip } from './zip';

/**
 * A minimal, correct SpreadsheetML (ECMA-376 / ISO/IEC 29500) workbook with one sheet: the package parts Excel, WPS and
 * LibreOffice need ([Content_Types].xml, the package and workbook relationships, workbook, styles, one worksheet),
 * a bold frozen header row, inline strings (no shared-string table to keep in step) and numbers as numbers.
 */
export type Cell = string | number | null;

export interface Sheet {
  /** At most 31 characters, none of []:*?/\ (Excel's rule); replaced otherwise. */
  readonly name: string;
  readonly header: readonly string[];
  readonly rows: readonly (readonly Cell[])[];
  /** Column widths in characters; 16 when not given. */
  readonly widths?: readonly number[];
}

export const xlsxContentType = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

const main = 'http://schemas.openxmlformats.org/spreadsheetml/2006/main';
const rel = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships';
const pkgRel = 'http://schemas.openxmlformats.org/package/2006/relationships';
const decl = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n';

/** Text as XML character data: markup escaped, characters XML 1.0 forbids dropped. */
export function xmlText(value: string): string {
  return value
    .replace(/[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');
}

/** 0 → A, 25 → Z, 26 → AA. */
export function columnName(index: number): string {
  let name = '';
  for (let n = index + 1; n > 0; n = Math.floor((n - 1) / 26)) name = String.fromCharCode(65 + ((n - 1) % 26)) + name;
  return name;
}

export function sheetName(name: string): string {
  const cleaned = name.replace(/[[\]:*?/\\]/g, '_').replace(/^'+|'+$/g, '').slice(0, 31);
  return cleaned || 'Sheet1';
}

function cellXml(value: Cell, ref: string, style?: number): string {
  const s = style ? ` s="${style}"` : '';
  if (value === null || value === '') return '';
  if (typeof value === 'number') return Number.isFinite(value) ? `<c r="${ref}"${s}><v>${value}</v></c>` : '';
  // Excel keeps at most 32,767 characters in a cell.
  const text = xmlText(value.slice(0, 32_767));
  const space = /^\s|\s$/.test(text) ? ' xml:space="preserve"' : '';
  return `<c r="${ref}"${s} t="inlineStr"><is><t${space}>${text}</t></is></c>`;
}

function worksheetXml(sheet: Sheet): string {
  const width = Math.max(1, sheet.header.length, ...sheet.rows.map((r) => r.length));
  if (sheet.rows.length + 1 > 1_048_576 || width > 16_384) throw new Error('sheet too large for Excel');
  const rows = [sheet.header as readonly Cell[], ...sheet.rows].map((row, r) => {
    const cells = row.map((value, c) => cellXml(value, `${columnName(c)}${r + 1}`, r === 0 ? 1 : undefined)).join('');
    return `<row r="${r + 1}">${cells}</row>`;
  });
  const cols = Array.from({ length: width }, (_, c) => `<col min="${c + 1}" max="${c + 1}" width="${sheet.widths?.[c] ?? 16}" customWidth="1"/>`).join('');
  return `${decl}<worksheet xmlns="${main}" xmlns:r="${rel}">`
    + `<dimension ref="A1:${columnName(width - 1)}${sheet.rows.length + 1}"/>`
    + '<sheetViews><sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/></sheetView></sheetViews>'
    + '<sheetFormatPr defaultRowHeight="15"/>'
    + `<cols>${cols}</cols>`
    + `<sheetData>${rows.join('')}</sheetData>`
    + '</worksheet>';
}

/** The parts of the package, by name, in the order they are written. */
export function xlsxParts(sheet: Sheet): { name: string; xml: string }[] {
  return [
    {
      name: '[Content_Types].xml',
      xml: `${decl}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">`
        + '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        + '<Default Extension="xml" ContentType="application/xml"/>'
        + '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        + '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        + '<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
        + '</Types>',
    },
    {
      name: '_rels/.rels',
      xml: `${decl}<Relationships xmlns="${pkgRel}"><Relationship Id="rId1" Type="${rel}/officeDocument" Target="xl/workbook.xml"/></Relationships>`,
    },
    {
      name: 'xl/workbook.xml',
      xml: `${decl}<workbook xmlns="${main}" xmlns:r="${rel}"><bookViews><workbookView/></bookViews>`
        + `<sheets><sheet name="${xmlText(sheetName(sheet.name))}" sheetId="1" r:id="rId1"/></sheets></workbook>`,
    },
    {
      name: 'xl/_rels/workbook.xml.rels',
      xml: `${decl}<Relationships xmlns="${pkgRel}">`
        + `<Relationship Id="rId1" Type="${rel}/worksheet" Target="worksheets/sheet1.xml"/>`
        + `<Relationship Id="rId2" Type="${rel}/styles" Target="styles.xml"/>`
        + '</Relationships>',
    },
    {
      name: 'xl/styles.xml',
      xml: `${decl}<styleSheet xmlns="${main}">`
        + '<fonts count="2"><font><sz val="11"/><name val="等线"/><family val="2"/></font><font><b/><sz val="11"/><name val="等线"/><family val="2"/></font></fonts>'
        + '<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills>'
        + '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
        + '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
        + '<cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/><xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/></cellXfs>'
        + '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
        + '</styleSheet>',
    },
    { name: 'xl/worksheets/sheet1.xml', xml: worksheetXml(sheet) },
  ];
}

/** The .xlsx file. `modifiedAt` stamps the zip entries (UTC). */
export function writeXlsx(sheet: Sheet, modifiedAt?: Date): Buffer {
  return writeZip(xlsxParts(sheet).map((p) => ({ name: p.name, data: Buffer.from(p.xml, 'utf8') })), modifiedAt);
}
