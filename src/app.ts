import 'reflect-metadata';
import { type INestApplication, Logger, type LogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import express from 'express';
import helmet from 'helmet';
import { createServer } from 'node:net';
import type { NextFunction, Request, Response } from 'express';
import { AppModule } from './app.module.js';
import { AuthService, authenticateBeforeBody, requestCredential } from './auth/index.js';
import { ensureDataDir } from './common/data-dir.js';
import { type ErrorBody, strictValidationPipe } from './common/http-errors.js';
import { boundedJsonBody } from './common/json-body.js';
import { listenFailure } from './common/startup-error.js';
import type { Settings } from './config/index.js';
import { connectDatabase, type DatabaseConnection } from './database/index.js';
import type { EmbeddedPostgresHandle } from './database/embedded-postgres.js';
import type { EventStore } from './events/event-store.js';
import { MetricsRegistry } from './shared/metrics.js';
import type { Clock } from './shared/index.js';

/** A login is a name and a password: a few kilobytes is generous. */
const LOGIN_BODY_LIMIT = 8 * 1024;
/** JSON API bodies (forms, filters, pasted test events); files and log batches have their own readers. */
const JSON_BODY_LIMIT = 1024 * 1024;
const PUBLIC_ROUTES_WITH_BODIES = [{ method: 'POST', path: '/api/auth/login' }];

const LEVELS: LogLevel[] = ['fatal', 'error', 'warn', 'log', 'debug', 'verbose'];

export interface RunningApp {
  app: INestApplication;
  database: DatabaseConnection;
  close(): Promise<void>;
}

/**
 * Builds the whole service on the given settings; `listen` is the caller's choice. A failure on the
 * way stops whatever was started, the embedded database included, before it is rethrown.
 */
export async function createApp(settings: Settings, options: { logger?: false; eventStore?: EventStore; clock?: Clock } = {}): Promise<RunningApp> {
  await ensureDataDir(settings.TAISHI_DATA_DIR);
  const database = await connectDatabase(settings, { supervise: true });
  const logger = options.logger ?? LEVELS.slice(0, LEVELS.indexOf(settings.TAISHI_LOG_LEVEL) + 1);
  let app: NestExpressApplication;
  try {
    // abortOnError: false, or Nest would end the process itself and leave the database running.
    app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(settings, database.url, { listen: true, eventStore: options.eventStore, clock: options.clock }), { logger, bodyParser: false, abortOnError: false });
  } catch (error) {
    await database.release();
    throw error;
  }
  app.set('trust proxy', settings.TAISHI_TRUST_PROXY);
  app.use(helmet());
  // Authenticate before any body is read; then each kind of body gets its own reader and limit.
  app.use('/api', authenticateBeforeBody(app.get(AuthService), PUBLIC_ROUTES_WITH_BODIES));
  // File uploads arrive as raw bytes: the import decides between UTF-8 and GBK itself.
  app.use(['/api/assets/import', '/api/ingest', '/api/rules/validate'], express.raw({ type: () => true, limit: settings.TAISHI_BODY_LIMIT }));
  // Rule uploads are YAML; only the exact collection path takes a raw body (PATCH /api/rules/:id is JSON).
  const rawRuleFile = express.raw({ type: () => true, limit: settings.TAISHI_BODY_LIMIT });
  app.use('/api/rules', (req: Request, res: Response, next: NextFunction) => (req.method === 'POST' && req.path === '/' ? rawRuleFile(req, res, next) : next()));
  app.use('/api/auth/login', boundedJsonBody(LOGIN_BODY_LIMIT));
  app.use('/api', boundedJsonBody(Math.min(JSON_BODY_LIMIT, settings.TAISHI_BODY_LIMIT)));
  app.useGlobalPipes(strictValidationPipe());
  mountApiDocs(app);
  if (database.embedded?.owned) exportEmbeddedDatabaseState(app.get(MetricsRegistry), database.embedded);
  try {
    // Listeners (syslog ports) open here: one that cannot must not leave the rest running.
    await app.init();
    await app.get(AuthService).ensureInitialAdmin();
  } catch (error) {
    await app.close().catch(() => undefined);
    await database.release();
    throw error;
  }
  return {
    app,
    database,
    close: async () => {
      await app.close();
      await database.release();
    },
  };
}

function exportEmbeddedDatabaseState(metrics: MetricsRegistry, embedded: EmbeddedPostgresHandle): void {
  metrics.gauge('taishi_embedded_database_up', 'Whether the embedded PostgreSQL this service started is running (1) or being restarted (0)').track({}, () => (embedded.state().up ? 1 : 0));
  metrics.observedCounter('taishi_embedded_database_restarts_total', 'Times the embedded PostgreSQL was started again after it died').track({}, () => embedded.state().restarts);
}

/** OpenAPI at /api/docs, behind the same authentication as the rest of the API (a console login opens it too). */
function mountApiDocs(app: NestExpressApplication): void {
  const config = new DocumentBuilder()
    .setTitle('Taishi 态势 API')
    .setDescription('Security situational awareness for smart-city systems')
    .setVersion('0.1.0')
    .addBearerAuth()
    .build();
  app.use(['/api/docs', '/api/docs-json'], async (req: Request, res: Response, next: NextFunction) => {
    const credential = requestCredential(req)?.credential;
    const principal = credential ? await app.get(AuthService).authenticate(credential).catch(() => undefined) : undefined;
    if (principal?.kind === 'user') return next();
    const body: ErrorBody = principal
      ? { statusCode: 403, error: 'Forbidden', message: 'API keys cannot read the API documentation' }
      : { statusCode: 401, error: 'Unauthorized', message: 'Authentication required: send Authorization: Bearer <token>' };
    res.status(body.statusCode).json(body);
  });
  SwaggerModule.setup('api/docs', app, () => SwaggerModule.createDocument(app, config), { jsonDocumentUrl: 'api/docs-json' });
}

function canListen(port: number, host: string): Promise<void> {
  const probe = createServer();
  return new Promise((resolve, reject) => {
    probe.once('error', reject);
    probe.listen(port, host, () => probe.close(() => resolve()));
  });
}

/** Opens the HTTP port; if it cannot, closes the service (and the database it started) and says which setting moves it. */
export async function listen(running: RunningApp, settings: Settings): Promise<void> {
  try {
    // Tried first on a bare socket: Nest would log the failure itself, a second line for one cause.
    await canListen(settings.TAISHI_PORT, settings.TAISHI_HOST);
    await running.app.listen(settings.TAISHI_PORT, settings.TAISHI_HOST);
  } catch (error) {
    await running.close().catch(() => undefined);
    throw listenFailure(error, 'HTTP', 'TAISHI_PORT', 'TAISHI_HOST') ?? error;
  }
  Logger.log(`Taishi listening on http://${settings.TAISHI_HOST}:${settings.TAISHI_PORT} (database: ${running.database.mode})`, 'Taishi');
}
