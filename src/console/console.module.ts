import { Inject, Logger, type MiddlewareConsumer, Module, type NestModule } from '@nestjs/common';
import express, { type NextFunction, type Request, type Response } from 'express';
import path from 'node:path';
import { SETTINGS_TOKEN, type Settings } from '../config/index.js';
import { CONSOLE_CSP, consoleDirectory, echartsFile, isBuilt } from './assets.js';

/**
 * The web console: a single page at / with its scripts under /assets/. Everything else (/api,
 * /health, /metrics) passes through untouched. The page reaches the API with the session cookie.
 */
@Module({})
export class ConsoleModule implements NestModule {
  private readonly logger = new Logger('Console');

  constructor(@Inject(SETTINGS_TOKEN) private readonly settings: Settings) {}

  configure(consumer: MiddlewareConsumer): void {
    const directory = consoleDirectory(this.settings.TAISHI_CONSOLE_DIR);
    if (!directory) return;
    if (!isBuilt(directory)) this.logger.warn(`No built console in ${directory}; run npm run build (or set TAISHI_CONSOLE_DIR)`);
    consumer.apply(consoleHandler(directory)).forRoutes('/');
  }
}

function consoleHandler(directory: string) {
  const files = express.static(directory, { index: false, fallthrough: false, dotfiles: 'ignore', setHeaders: (res) => res.setHeader('Cache-Control', 'no-cache') });
  const echarts = echartsFile();
  return (req: Request, res: Response, next: NextFunction) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return next();
    const url = req.originalUrl.split('?')[0];
    if (url !== '/' && url !== '/index.html' && !url.startsWith('/assets/')) return next();
    res.setHeader('Content-Security-Policy', CONSOLE_CSP);
    res.setHeader('Cache-Control', 'no-cache');
    if (url === '/assets/vendor/echarts.min.js') return res.sendFile(echarts);
    if (url.startsWith('/assets/')) {
      req.url = url.slice('/assets'.length);
      return files(req, res, next);
    }
    if (!isBuilt(directory)) {
      res.status(503).type('text/plain; charset=utf-8').send('控制台尚未构建，请运行 npm run build。\nThe console is not built: run npm run build.\n');
      return;
    }
    res.sendFile(path.join(directory, 'index.html'));
  };
}
