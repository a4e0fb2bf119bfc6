/** The asset lookup without the registry's service and database: for the command line and worker threads. */
export { AssetIndex, type AssetRef, type IndexedAsset } from './asset-index.js';
