import { statSync } from 'node:fs';
import path from 'node:path';
import { loadSettings } from '../config/index.js';
import { parseBytes } from '../ingest/index.js';
import { RecognitionTally } from '../ingest/index.js';
import { UsageError } from './command-line.js';
import { lineBatches } from './line-reader.js';
import { progressBar } from './progress.js';

/** A whole run is one window; the tables are bounded however many lines and programs the files hold. */
const LIMITS = { maxPrograms: 1000, maxShapes: 200, bucketMs: Infinity, buckets: 1 };
const percent = (share: number) => `${(share * 100).toFixed(1)}%`;

/**
 * `parse-report [--json] [--top N] FILE...`: per sending program, how many lines the parsers
 * turned into a known action, and the most frequent shapes of the lines they could not read,
 * with personal data masked. Streams the files, so memory stays flat whatever their size.
 */
export async function parseReport(options: { json?: boolean; top?: string }, files: string[]): Promise<number> {
  if (!files.length) throw new UsageError('parse-report 需要至少一个日志文件 / needs at least one log FILE');
  const top = options.top === undefined ? 5 : Number(options.top);
  if (!Number.isInteger(top) || top < 0 || top > LIMITS.maxShapes) throw new UsageError(`--top 须为 0–${LIMITS.maxShapes} 的整数 / --top must be an integer from 0 to ${LIMITS.maxShapes}`);
  const sizes = files.map((file) => {
    try {
      return statSync(file).size;
    } catch {
      throw new UsageError(`无法读取 / cannot read ${file}`);
    }
  });
  const timeZone = loadSettings().TAISHI_TIME_ZONE;
  const tally = new RecognitionTally(LIMITS);
  const started = Date.now();
  for (const [i, file] of files.entries()) {
    const context = { source: `file:${path.basename(file)}`, transport: 'file' as const, receivedAt: new Date(), timeZone };
    const bar = progressBar(`parse-report ${path.basename(file)}`);
    for await (const { batch, bytesRead } of lineBatches(file, 2000)) {
      for (const { bytes } of batch) tally.add(parseBytes(bytes, context), 'file', 0);
      bar.update(bytesRead, sizes[i]);
    }
    bar.update(sizes[i], sizes[i]);
  }
  const programs = tally.report(0, top).map(({ program, lines, recognised, share, shapes }) => ({ program, lines, recognised, share, shapes }));
  const lines = programs.reduce((n, p) => n + p.lines, 0);
  const recognised = programs.reduce((n, p) => n + p.recognised, 0);
  const seconds = (Date.now() - started) / 1000;
  process.stderr.write(`${lines} 行 lines in ${seconds.toFixed(1)} s (${Math.round(lines / Math.max(seconds, 0.001))} lines/s)\n`);
  if (options.json) {
    process.stdout.write(JSON.stringify({ files, lines, recognised, share: lines ? recognised / lines : 1, programs }, null, 2) + '\n');
    return 0;
  }
  process.stdout.write(`${'程序 program'.padEnd(34)}${'行数 lines'.padStart(12)}${'识别 recognised'.padStart(18)}\n`);
  for (const p of programs) {
    process.stdout.write(`${p.program.padEnd(34)}${String(p.lines).padStart(12)}${percent(p.share).padStart(18)}\n`);
    for (const s of p.shapes) process.stdout.write(`    ${String(s.count).padStart(8)}  ${s.shape}\n`);
  }
  process.stdout.write(
    `共 ${lines} 行，${percent(lines ? recognised / lines : 1)} 解析为已知动作；未识别的行按形态列出（数字、地址、引号内容已归并，个人信息已遮蔽）\n` +
      `${lines} lines, ${percent(lines ? recognised / lines : 1)} parsed to a known action; unrecognised lines are listed by shape (numbers, addresses, quoted text collapsed; personal data masked)\n`,
  );
  return 0;
}
