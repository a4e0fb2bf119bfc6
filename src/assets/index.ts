export { AssetIndex, type AssetRef, type IndexedAsset } from './asset-index.js';
export { Asset } from './asset.entity.js';
export { AssetsModule } from './assets.module.js';
export { AssetsService, type ImportProgress, type ImportReport } from './assets.service.js';
