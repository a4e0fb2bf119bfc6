import { Logger } from '@nestjs/common';
import { createApp, listen, type RunningApp } from './app.js';
import { loadSettings, type Settings } from './config/index.js';
import { describeStartupFailure } from './startup-failure.js';

let settings: Settings | undefined;
let running: RunningApp | undefined;
let stopRequested: NodeJS.Signals | undefined;

function shutDown(signal: NodeJS.Signals): void {
  Logger.log(`${signal}: shutting down`, 'Taishi');
  // Close the service first, then the embedded database it was writing to.
  running!.close().then(
    () => process.exit(0),
    (error: unknown) => {
      Logger.error(`Shutdown failed: ${String(error)}`, 'Taishi');
      process.exit(1);
    },
  );
}

// A signal during start is answered once the start is done, so the database started on the way is stopped too.
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => (running ? shutDown(signal) : (stopRequested = signal)));

try {
  settings = loadSettings();
  running = await createApp(settings);
  await listen(running, settings);
  if (stopRequested) shutDown(stopRequested);
} catch (error) {
  const failure = describeStartupFailure(error, settings);
  if (settings && ['debug', 'verbose'].includes(settings.TAISHI_LOG_LEVEL)) process.stderr.write(`${(error as Error)?.stack ?? String(error)}\n`);
  process.stderr.write(`${failure.line}\n`);
  process.exit(failure.exitCode);
}
