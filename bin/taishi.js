#!/usr/bin/env node
// The CLI runs from the compiled output, which `npm start` and `npm test` build (or `npm run build`).
import { existsSync } from 'node:fs';
const entry = new URL('../dist/cli/main.js', import.meta.url);
if (!existsSync(entry)) {
  process.stderr.write('taishi: dist/ is missing; run `npm run build` first\n');
  process.exit(2);
}
await import(entry.href);
