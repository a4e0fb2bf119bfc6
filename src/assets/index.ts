export { AssetIndex, type AssetRef, type IndexedAsset } from './core.js';
export type { Asset } from './asset.js';
export { AssetsModule } from './assets.module.js';
export { AssetsService, type ImportProgress, type ImportReport, type RowError } from './assets.service.js';
export { assetErrors } from './errors.js';
export { type AssetInputDto } from './dto.js';
export { toCsv } from './csv.js';
