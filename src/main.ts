import { Logger } from '@nestjs/common';
import { createApp, listen } from './app.js';
import { ConfigError, loadSettings } from './config/index.js';

try {
  const settings = loadSettings();
  const running = await createApp(settings);
  await listen(running, settings);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      Logger.log(`${signal}: shutting down`, 'Taishi');
      // Close the service first, then the embedded database it was writing to.
      running.close().then(
        () => process.exit(0),
        (error: unknown) => {
          Logger.error(`Shutdown failed: ${String(error)}`, 'Taishi');
          process.exit(1);
        },
      );
    });
  }
} catch (error) {
  if (error instanceof ConfigError) {
    process.stderr.write(`配置错误 / Configuration error: ${error.message}\n`);
    process.exit(2);
  }
  throw error;
}
