import type { Localised } from '../../shared/index.js';

/**
 * The ten incident categories of GB/T 20986-2023, in the standard's order. The category names
 * are as the reference lists them, tagged [R] there (recalled, to be confirmed). The ids are
 * Taishi's own stable keys: the standard's Appendix B classification codes were not available
 * to check, so they are not reproduced here.
 */
export const CATEGORIES = [
  { id: 'malware', name: { 'zh-CN': '恶意程序事件', en: 'Malware' } },
  { id: 'network_attack', name: { 'zh-CN': '网络攻击事件', en: 'Network attack' } },
  { id: 'data_security', name: { 'zh-CN': '数据安全事件', en: 'Data security' } },
  { id: 'information_content', name: { 'zh-CN': '信息内容安全事件', en: 'Information content security' } },
  { id: 'equipment_failure', name: { 'zh-CN': '设备设施故障事件', en: 'Equipment and facility failure' } },
  { id: 'policy_violation', name: { 'zh-CN': '违规操作事件', en: 'Policy-violating operation' } },
  { id: 'latent_risk', name: { 'zh-CN': '安全隐患事件', en: 'Latent security risk' } },
  { id: 'abnormal_behaviour', name: { 'zh-CN': '异常行为事件', en: 'Abnormal behaviour' } },
  { id: 'force_majeure', name: { 'zh-CN': '不可抗力事件', en: 'Force majeure' } },
  { id: 'other', name: { 'zh-CN': '其他事件', en: 'Other' } },
] as const satisfies readonly { id: string; name: Localised }[];

export type CategoryId = (typeof CATEGORIES)[number]['id'];
export const CATEGORY_IDS: readonly CategoryId[] = CATEGORIES.map((c) => c.id);
/** How the category list was checked, in the reference's notation. */
export const CATEGORIES_BASIS = 'R';

export const isCategoryId = (v: unknown): v is CategoryId => typeof v === 'string' && (CATEGORY_IDS as readonly string[]).includes(v);
