import { isAscii, isUtf8 } from 'node:buffer';
import iconv from 'iconv-lite';

export interface DecodedLine {
  text: string;
  encoding: 'utf-8' | 'gb18030';
  /** True when some bytes could not be decoded and were replaced by U+FFFD. */
  lossy: boolean;
}

const REPLACEMENT = 0xfffd;

/**
 * Decodes one log line. City systems write UTF-8 or GBK (GB18030 is its superset), never say
 * which, and sometimes emit broken bytes; this never throws.
 */
export function decodeLine(bytes: Buffer): DecodedLine {
  // latin1 is the cheapest decoder and is exact for ASCII, by far the common case
  if (isAscii(bytes)) return { text: bytes.toString('latin1'), encoding: 'utf-8', lossy: false };
  if (isUtf8(bytes)) return { text: bytes.toString('utf8'), encoding: 'utf-8', lossy: false };

  const asGb = iconv.decode(bytes, 'gb18030');
  const gbBad = countReplacements(asGb);
  if (gbBad === 0) return { text: asGb, encoding: 'gb18030', lossy: false };

  // Broken either way. A UTF-8 line cut in the middle of a character decodes as GB18030 mojibake
  // with as few errors as the UTF-8 reading, so on a tie the UTF-8 reading wins.
  const asUtf8 = bytes.toString('utf8');
  return gbBad < countReplacements(asUtf8)
    ? { text: asGb, encoding: 'gb18030', lossy: true }
    : { text: asUtf8, encoding: 'utf-8', lossy: true };
}

function countReplacements(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === REPLACEMENT) n++;
  return n;
}
