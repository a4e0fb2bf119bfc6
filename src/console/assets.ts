import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

/**
 * Where the console's files come from. The front end is compiled by its own tsconfig into
 * `web/` beside this module (dist/console/web after `npm run build`); ECharts is served from the
 * installed package, so nothing is fetched from outside at run time.
 */
export function consoleDirectory(setting: string | undefined): string | undefined {
  if (setting?.toLowerCase() === 'off') return undefined;
  return path.resolve(setting ?? path.join(import.meta.dirname, 'web'));
}

export function echartsFile(): string {
  // The package's main is dist/echarts.js; its minified twin sits beside it.
  return path.join(path.dirname(createRequire(import.meta.url).resolve('echarts')), 'echarts.min.js');
}

export function isBuilt(directory: string): boolean {
  return existsSync(path.join(directory, 'index.html')) && existsSync(path.join(directory, 'main.js'));
}

/**
 * The console's Content-Security-Policy: scripts, styles and connections to this origin only, no
 * inline script or style, no framing. ECharts draws on canvas and styles through the CSSOM,
 * which this policy allows.
 */
export const CONSOLE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "manifest-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');
