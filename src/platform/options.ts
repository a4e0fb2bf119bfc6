import type { Clock } from '../shared/index.js';

export interface PlatformOptions {
  /** A listening service runs background jobs; CLI commands build the same services without them. */
  listen: boolean;
  /** Tests pass a FakeClock; the service runs on the system clock. */
  clock?: Clock;
}

export const PLATFORM_OPTIONS = Symbol('PlatformOptions');
