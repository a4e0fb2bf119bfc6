import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

/**
 * Where the console's files come from. The front end is its own package at the top of the
 * repository (console/), built by `npm run build` into console/dist; ECharts is served from the
 * installed package, so nothing is fetched from outside at run time. This module sits two levels
 * below the top both as source (src/console) and compiled (dist/console).
 */
export function consoleDirectory(setting: string | undefined): string | undefined {
  if (setting?.toLowerCase() === 'off') return undefined;
  return path.resolve(setting ?? path.join(import.meta.dirname, '../../console/dist'));
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
