import iconv from 'iconv-lite';
import { decodeText, parseCsv, toCsv } from './csv.js';

describe('CSV', () => {
  it('parses quoted fields, doubled quotes, CRLF and embedded newlines, keeping line numbers', () => {
    const rows = parseCsv('a,b,c\r\n"x, y","say ""hi""",z\r\n\r\n"multi\nline",2,3\n');
    expect(rows).toEqual([
      { cells: ['a', 'b', 'c'], line: 1 },
      { cells: ['x, y', 'say "hi"', 'z'], line: 2 },
      { cells: ['multi\nline', '2', '3'], line: 4 },
    ]);
  });

  it('round-trips what it writes, and defuses spreadsheet formulas', () => {
    const csv = toCsv(['name', 'note'], [['泵站, 一号', '=HYPERLINK("x")'], ['plain', '-1']]);
    expect(parseCsv(csv).map((r) => r.cells)).toEqual([
      ['name', 'note'],
      ['泵站, 一号', `'=HYPERLINK("x")`],
      ['plain', "'-1"],
    ]);
  });

  it('defuses formulas behind whitespace, line breaks and full-width signs', () => {
    const cells = ['\t=1', ' +1', '\r@x', '＝A1', '　－2', 'a=b'];
    expect(parseCsv(toCsv(['v'], cells.map((c) => [c]))).slice(1).map((r) => r.cells[0])).toEqual(["'\t=1", "' +1", "'\r@x", "'＝A1", "'　－2", 'a=b']);
  });

  it('tells UTF-8 (with or without BOM) from GBK', () => {
    expect(decodeText(Buffer.from('名称,类型\n'))).toEqual({ text: '名称,类型\n', encoding: 'utf-8' });
    expect(decodeText(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('名称')]))).toEqual({ text: '名称', encoding: 'utf-8' });
    expect(decodeText(iconv.encode('名称,类型\n水务局', 'gbk'))).toEqual({ text: '名称,类型\n水务局', encoding: 'gb18030' });
  });
});
