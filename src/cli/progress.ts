/**
 * A progress line on stderr: redrawn in place on a terminal, and printed every 10% otherwise so
 * that logs of scheduled jobs stay short.
 */
export function progressBar(label: string, stream: NodeJS.WriteStream = process.stderr) {
  let lastDecile = -1;
  let finished = false;
  const started = Date.now();
  return {
    update(done: number, total: number): void {
      if (finished) return;
      finished = done >= total;
      const ratio = total ? done / total : 1;
      const percent = Math.floor(ratio * 100);
      if (stream.isTTY) {
        const width = 30;
        const filled = Math.round(ratio * width);
        stream.write(`\r${label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total} ${percent}%`);
        if (done >= total) stream.write('\n');
      } else if (Math.floor(percent / 10) !== lastDecile || done >= total) {
        lastDecile = Math.floor(percent / 10);
        stream.write(`${label} ${done}/${total} ${percent}%\n`);
      }
    },
    elapsedMs: () => Date.now() - started,
  };
}
