import type { AssetFacts } from './facts.js';

/** Selectors that pick registered assets; each control's check then runs once per picked asset. */
export const ASSET_SELECTORS = [
  'all_assets',
  'cii',
  'mlps_gte_2',
  'mlps_gte_3',
  'important_data',
  'personal_data',
  'sensitive_personal_data',
  'automotive_data',
  'public_cameras',
] as const;
/** Selectors with a single subject: the Taishi monitor itself, or the organisation running it. */
const SINGLE_SELECTORS = ['monitor', 'organisation'] as const;
export const SELECTORS = [...ASSET_SELECTORS, ...SINGLE_SELECTORS] as const;

export type AssetSelector = (typeof ASSET_SELECTORS)[number];
export type Selector = (typeof SELECTORS)[number];

/** NDSR Art. 28: holding personal information of more than 10 million people brings important-data duties. */
const IMPORTANT_DATA_SUBJECTS = 10_000_000;
/**
 * Tag a system owner puts on systems holding automotive data (connected-vehicle or charging
 * platforms); a roadside camera is not automotive data unless its owner says so.
 */
export const AUTOMOTIVE_TAG = 'automotive_data';

export function isAssetSelector(selector: Selector): selector is AssetSelector {
  return (ASSET_SELECTORS as readonly string[]).includes(selector);
}

/** Whether a control with this selector covers the asset. Retired systems are out of every scope. */
export function appliesTo(selector: AssetSelector, asset: AssetFacts): boolean {
  if (asset.lifecycle === 'retired') return false;
  switch (selector) {
    case 'all_assets':
      return true;
    case 'cii':
      return asset.cii.designated;
    case 'mlps_gte_2':
      return (asset.mlps?.level ?? 0) >= 2;
    case 'mlps_gte_3':
      return (asset.mlps?.level ?? 0) >= 3;
    case 'important_data':
      // core data carries at least the duties of important data
      return asset.data.level !== 'general' || (asset.data.subjects ?? 0) > IMPORTANT_DATA_SUBJECTS;
    case 'personal_data':
      return asset.data.personal !== 'none';
    case 'sensitive_personal_data':
      return asset.data.personal === 'sensitive';
    case 'automotive_data':
      return asset.automotive !== undefined || asset.tags.includes(AUTOMOTIVE_TAG);
    case 'public_cameras':
      // A camera whose placement nobody recorded is treated as public: the stricter reading when unsure.
      return asset.type === 'camera' && asset.camera?.publicPlace !== false;
  }
}

export function selectAssets(selector: AssetSelector, assets: readonly AssetFacts[]): AssetFacts[] {
  return assets.filter((a) => appliesTo(selector, a));
}
