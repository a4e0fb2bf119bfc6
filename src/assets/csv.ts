import iconv from 'iconv-lite';

/** Text of an uploaded file: UTF-8 (with or without BOM) when it decodes cleanly, else GB18030 (a superset of GBK). */
export function decodeText(bytes: Buffer): { text: string; encoding: 'utf-8' | 'gb18030' } {
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return { text: bytes.subarray(3).toString('utf8'), encoding: 'utf-8' };
  try {
    return { text: new TextDecoder('utf-8', { fatal: true }).decode(bytes), encoding: 'utf-8' };
  } catch {
    return { text: iconv.decode(bytes, 'gb18030'), encoding: 'gb18030' };
  }
}

/** RFC 4180 CSV: quoted fields, doubled quotes, CRLF or LF, embedded newlines. Returns rows with their starting line numbers. */
export function parseCsv(text: string): { cells: string[]; line: number }[] {
  const rows: { cells: string[]; line: number }[] = [];
  let cells: string[] = [];
  let field = '';
  let quoted = false;
  let line = 1;
  let rowLine = 1;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i++;
        } else quoted = false;
      } else {
        if (c === '\n') line++;
        field += c;
      }
    } else if (c === '"' && field === '') quoted = true;
    else if (c === ',') {
      cells.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      cells.push(field);
      if (cells.some((cell) => cell !== '')) rows.push({ cells, line: rowLine });
      cells = [];
      field = '';
      line++;
      rowLine = line;
    } else field += c;
  }
  cells.push(field);
  if (cells.some((cell) => cell !== '')) rows.push({ cells, line: rowLine });
  return rows;
}

/**
 * A cell a spreadsheet would run as a formula: = + - @ (or their full-width forms, which some
 * spreadsheet programs normalise) first, possibly after spaces, or a leading tab or line break.
 */
const FORMULA_START = /^(?:[\s\u3000]*[=+\-@\uff1d\uff0b\uff0d\uff20]|[\t\r\n])/;

function quoteCell(value: string): string {
  const safe = FORMULA_START.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) || safe !== value ? `"${safe.replace(/"/g, '""')}"` : safe;
}

export function toCsv(header: string[], rows: string[][]): string {
  return [header, ...rows].map((cells) => cells.map(quoteCell).join(',')).join('\r\n') + '\r\n';
}
