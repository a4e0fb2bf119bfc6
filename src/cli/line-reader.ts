import { createReadStream, openSync, readSync, closeSync } from 'node:fs';
import { createGunzip } from 'node:zlib';

/** A gzip file starts with 1f 8b whatever its name. */
function isGzip(file: string): boolean {
  const fd = openSync(file, 'r');
  try {
    const head = Buffer.alloc(2);
    return readSync(fd, head, 0, 2, 0) === 2 && head[0] === 0x1f && head[1] === 0x8b;
  } finally {
    closeSync(fd);
  }
}

/**
 * A file's lines as raw bytes (so the parser can tell UTF-8 from GBK line by line), with their
 * line numbers, in batches, reading 1 MiB at a time whatever the file's size. Gzip files are
 * read through gunzip; `bytesRead` counts the file's own (compressed) bytes, for progress.
 */
export async function* lineBatches(file: string, batchSize: number): AsyncGenerator<{ batch: { bytes: Buffer; line: number }[]; bytesRead: number }> {
  let batch: { bytes: Buffer; line: number }[] = [];
  let rest = Buffer.alloc(0);
  let line = 0;
  let bytesRead = 0;
  const raw = createReadStream(file, { highWaterMark: 1 << 20 });
  let input: NodeJS.ReadableStream = raw;
  if (isGzip(file)) {
    // pipe() reads the file by 'data' events: they count its bytes.
    raw.on('data', (chunk) => (bytesRead += chunk.length));
    const gunzip = createGunzip();
    raw.on('error', (error) => gunzip.destroy(error));
    input = raw.pipe(gunzip);
  }
  for await (const chunk of input as AsyncIterable<Buffer>) {
    if (input === raw) bytesRead += chunk.length;
    const data = rest.length ? Buffer.concat([rest, chunk]) : chunk;
    let start = 0;
    for (let i = data.indexOf(0x0a); i !== -1; i = data.indexOf(0x0a, start)) {
      line++;
      const end = i > start && data[i - 1] === 0x0d ? i - 1 : i;
      if (end > start) batch.push({ bytes: Buffer.from(data.subarray(start, end)), line });
      start = i + 1;
      if (batch.length >= batchSize) {
        yield { batch, bytesRead };
        batch = [];
      }
    }
    rest = Buffer.from(data.subarray(start));
  }
  if (rest.length) batch.push({ bytes: rest, line: line + 1 });
  if (batch.length) yield { batch, bytesRead };
}
