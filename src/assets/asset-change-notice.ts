import { notifyChannel, type Sql } from '../database/index.js';

/**
 * Registry changes reach every Taishi instance on the database at once, through PostgreSQL's
 * LISTEN/NOTIFY: a change made by one instance (or by a CLI command, such as the demo) is
 * attributed by the ingest pipeline of every other from the next batch on.
 */
export const ASSET_CHANGES_CHANNEL = 'taishi_asset_changes';

/** Called inside the transaction that changes the registry: delivered at commit, not at all on rollback. */
export function announceAssetChange(tx: Sql): Promise<void> {
  return notifyChannel(tx, ASSET_CHANGES_CHANNEL);
}
