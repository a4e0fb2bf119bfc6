/**
 * The content type of an evidence file, from its first bytes: what a client claims is not
 * trusted, because the file is later served back to other users' browsers. Anything not
 * recognised is served as opaque bytes, for download only.
 */
const SIGNATURES: { type: string; bytes: number[]; offset?: number }[] = [
  { type: 'application/pdf', bytes: [0x25, 0x50, 0x44, 0x46, 0x2d] }, // %PDF-
  { type: 'image/png', bytes: [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a] },
  { type: 'image/jpeg', bytes: [0xff, 0xd8, 0xff] },
  { type: 'image/gif', bytes: [0x47, 0x49, 0x46, 0x38] }, // GIF8
  { type: 'image/webp', bytes: [0x57, 0x45, 0x42, 0x50], offset: 8 }, // RIFF....WEBP
  // Office documents (docx, xlsx, pptx) and other archives are zip containers.
  { type: 'application/zip', bytes: [0x50, 0x4b, 0x03, 0x04] },
  { type: 'application/x-ole-storage', bytes: [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1] }, // doc, xls
];

export const SNIFF_BYTES = 512;

export function sniffContentType(head: Buffer): string {
  for (const s of SIGNATURES) {
    const at = s.offset ?? 0;
    if (head.length >= at + s.bytes.length && s.bytes.every((b, i) => head[at + i] === b)) return s.type;
  }
  if (head.length > 0 && !head.includes(0) && isUtf8Prefix(head)) return 'text/plain; charset=utf-8';
  return 'application/octet-stream';
}

/** Valid UTF-8, allowing the prefix to end inside a character. */
function isUtf8Prefix(bytes: Buffer): boolean {
  for (let cut = 0; cut < 4 && cut < bytes.length; cut++) {
    try {
      new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(0, bytes.length - cut));
      return true;
    } catch {
      // try without a possibly truncated last character
    }
  }
  return false;
}
