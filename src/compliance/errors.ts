import { defineErrors } from '../shared/index.js';

/** Coded failures of the compliance module. */
export const complianceErrors = defineErrors('compliance', {
  geo_data_unreadable: {
    kind: 'unavailable',
    message: {
      'zh-CN': '无法读取 IP 国家/地区数据 {file}：{reason}（设置 TAISHI_GEO_COUNTRY_DB）',
      en: 'Cannot read the IP country data {file}: {reason} (setting TAISHI_GEO_COUNTRY_DB)',
    },
  },
  geo_data_invalid: {
    kind: 'invalid',
    message: {
      'zh-CN': 'IP 国家/地区数据 {file} 第 {line} 行有误：{reason}（设置 TAISHI_GEO_COUNTRY_DB）',
      en: 'IP country data {file}, line {line}: {reason} (setting TAISHI_GEO_COUNTRY_DB)',
    },
  },
});
