import { rm } from 'node:fs/promises';
import type { EmbeddedPostgresHandle } from '../../src/database/embedded-postgres.ts';

export default async function globalTeardown(): Promise<void> {
  const state = (globalThis as Record<string, unknown>).__taishiEmbeddedPostgres as
    | { handle: EmbeddedPostgresHandle; dataDir: string }
    | undefined;
  if (!state) return;
  await state.handle.stop();
  await rm(state.dataDir, { recursive: true, force: true });
}
