import { createReadStream } from 'node:fs';

/**
 * A file's lines as raw bytes (so the parser can tell UTF-8 from GBK line by line), with their
 * line numbers, in batches, reading 1 MiB at a time whatever the file's size.
 */
export async function* lineBatches(file: string, batchSize: number): AsyncGenerator<{ batch: { bytes: Buffer; line: number }[]; bytesRead: number }> {
  let batch: { bytes: Buffer; line: number }[] = [];
  let rest = Buffer.alloc(0);
  let line = 0;
  let bytesRead = 0;
  for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>) {
    bytesRead += chunk.length;
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
