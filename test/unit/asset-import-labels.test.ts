import { en } from '../../console/src/i18n/en.js';
import { zhCN } from '../../console/src/i18n/zh-CN.js';
import { mapHeader, rowToInput } from '../../src/assets/asset-table.js';
import { ASSET_TYPES, CRITICALITIES, DATA_LEVELS, LIFECYCLES, PERSONAL_DATA, STORAGE_LOCATIONS } from '../../src/assets/vocabulary.js';

/** Each vocabulary the console shows, by its catalogue prefix, the import column holding it, and where the value lands. */
const SHOWN = [
  { prefix: 'assetType', column: 'type', codes: ASSET_TYPES, read: (i: Record<string, any>) => i.type },
  { prefix: 'dataLevel', column: 'data_level', codes: DATA_LEVELS, read: (i: Record<string, any>) => i.data?.level },
  { prefix: 'personalData', column: 'personal_data', codes: PERSONAL_DATA, read: (i: Record<string, any>) => i.data?.personal },
  { prefix: 'storage', column: 'storage_location', codes: STORAGE_LOCATIONS, read: (i: Record<string, any>) => i.storageLocation },
  { prefix: 'criticality', column: 'criticality', codes: CRITICALITIES, read: (i: Record<string, any>) => i.criticality },
  { prefix: 'lifecycle', column: 'lifecycle', codes: LIFECYCLES, read: (i: Record<string, any>) => i.lifecycle },
];

describe('asset import reads every value as the console shows it', () => {
  const catalogues = { 'zh-CN': zhCN as Record<string, string>, en: en as Record<string, string> };
  for (const { prefix, column, codes, read } of SHOWN) {
    it.each(Object.keys(catalogues) as (keyof typeof catalogues)[])(`${prefix} labels in %s`, (language) => {
      const { columns } = mapHeader(['name', column]);
      const read_ = codes.map((code) => [code, read(rowToInput(['x', catalogues[language][`${prefix}.${code}`]], columns))]);
      expect(read_).toEqual(codes.map((code) => [code, code]));
    });
  }
});
