export { OutboxService } from './outbox.service.js';
export { PlatformModule } from './platform.module.js';
export type { PlatformOptions } from './options.js';
export { Scheduler } from './scheduler.js';
