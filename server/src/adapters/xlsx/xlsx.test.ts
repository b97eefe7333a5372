import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { columnName, sheetName, writeXlsx, xlsxParts, xmlText } from './xlsx';
import { crc32, readZip, writeZip } from './zip';

const text = (data: Uint8Array) => Buffer.from(data).toString('utf8');

describe('zip', () => {
  it('computes the CRC-32 that ZIP uses', () => {
    expect(crc32(Buffer.from('123456789'))).toBe(0xcbf43926);
    expect(crc32(new Uint8Array())).toBe(0);
  });

  it('reads back exactly what it wrote, stored or deflated, with UTF-8 names', () => {
    fc.assert(
      fc.property(fc.array(fc.record({ name: fc.string({ minLength: 1, maxLength: 40 }), data: fc.uint8Array({ maxLength: 3000 }) }), { maxLength: 6 }), (entries) => {
        const back = readZip(writeZip(entries));
        expect(back.map((e) => e.name)).toEqual(entries.map((e) => e.name));
        back.forEach((e, i) => expect(Buffer.from(e.data).equals(Buffer.from(entries[i]!.data))).toBe(true));
      }),
      { numRuns: 60 },
    );
    const zip = writeZip([{ name: '面试/说明.txt', data: Buffer.from('招聘桥'.repeat(200)) }, { name: 'a', data: Buffer.from([1]) }]);
    // Deflated when it helps (method 8), stored otherwise (method 0); bit 11 marks UTF-8 names.
    expect(zip.readUInt16LE(8)).toBe(8);
    expect(zip.readUInt16LE(6) & 0x0800).toBe(0x0800);
    expect(readZip(zip).map((e) => e.name)).toEqual(['面试/说明.txt', 'a']);
  });

  it('refuses a corrupted archive', () => {
    const zip = writeZip([{ name: 'x.txt', data: Buffer.from('hello hello hello hello') }]);
    expect(() => readZip(zip.subarray(0, zip.length - 5))).toThrow(/end of central directory/);
    const flipped = Buffer.from(zip);
    flipped[40] = flipped[40]! ^ 0xff; // inside the compressed data
    expect(() => readZip(flipped)).toThrow();
  });
});

describe('xlsx', () => {
  const sheet = {
    name: '面试与评分',
    header: ['面试时间', '候选人', '平均分'],
    rows: [
      ['2026-11-24 15:00', '张三 & <李四>', 3.5],
      ['2026-11-25 10:00', ' 空格 ', null],
      ['', 'bad\u0001char', Number.NaN],
    ],
  };

  it('has every part a SpreadsheetML package needs, each declared and related', () => {
    const entries = readZip(writeXlsx(sheet));
    const names = entries.map((e) => e.name);
    expect(names).toEqual(['[Content_Types].xml', '_rels/.rels', 'xl/workbook.xml', 'xl/_rels/workbook.xml.rels', 'xl/styles.xml', 'xl/worksheets/sheet1.xml']);
    const part = (name: string) => text(entries.find((e) => e.name === name)!.data);
    for (const entry of entries) expect(text(entry.data).startsWith('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>')).toBe(true);

    const types = part('[Content_Types].xml');
    expect(types).toContain('<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>');
    for (const name of names.filter((n) => n.startsWith('xl/') && !n.endsWith('.rels'))) {
      expect(types, name).toContain(`<Override PartName="/${name}" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.`);
    }
    expect(types).toContain('sheet.main+xml');
    // Every relationship target exists in the package.
    expect(part('_rels/.rels')).toContain('relationships/officeDocument" Target="xl/workbook.xml"');
    for (const [, target] of part('xl/_rels/workbook.xml.rels').matchAll(/Target="([^"]+)"/g)) expect(names).toContain(`xl/${target}`);
    expect(part('xl/workbook.xml')).toContain('<sheet name="面试与评分" sheetId="1" r:id="rId1"/>');
    // The two cell formats the sheet uses exist: 0 normal, 1 bold.
    expect(part('xl/styles.xml')).toMatch(/<cellXfs count="2">.*applyFont="1"\/><\/cellXfs>/);
  });

  it('writes the Chinese header bold and frozen, strings escaped inline, numbers as numbers, blanks left out', () => {
    const xml = text(readZip(writeXlsx(sheet)).find((e) => e.name === 'xl/worksheets/sheet1.xml')!.data);
    expect(xml).toContain('<dimension ref="A1:C4"/>');
    expect(xml).toContain('state="frozen"');
    expect(xml).toContain('<row r="1"><c r="A1" s="1" t="inlineStr"><is><t>面试时间</t></is></c><c r="B1" s="1" t="inlineStr"><is><t>候选人</t></is></c><c r="C1" s="1" t="inlineStr"><is><t>平均分</t></is></c></row>');
    expect(xml).toContain('<c r="B2" t="inlineStr"><is><t>张三 &amp; &lt;李四&gt;</t></is></c><c r="C2"><v>3.5</v></c>');
    expect(xml).toContain('<c r="B3" t="inlineStr"><is><t xml:space="preserve"> 空格 </t></is></c></row>');
    expect(xml).toContain('<row r="4"><c r="B4" t="inlineStr"><is><t>badchar</t></is></c></row>');
    // Well-formed enough: every opened element closes.
    expect(xml.match(/<row /g)).toHaveLength(4);
    expect(xml.match(/<\/row>/g)).toHaveLength(4);
  });

  it('names columns and sheets the way Excel does', () => {
    expect([0, 25, 26, 51, 52, 701, 702, 16383].map(columnName)).toEqual(['A', 'Z', 'AA', 'AZ', 'BA', 'ZZ', 'AAA', 'XFD']);
    expect(sheetName('a/b:c*d?e[f]g\\h')).toBe('a_b_c_d_e_f_g_h');
    expect(sheetName('x'.repeat(40))).toHaveLength(31);
    expect(sheetName('')).toBe('Sheet1');
    expect(xmlText('"a"\u0000\u000b')).toBe('&quot;a&quot;');
    expect(xlsxParts({ name: '空', header: [], rows: [] }).at(-1)!.xml).toContain('<dimension ref="A1:A1"/>');
  });
});
