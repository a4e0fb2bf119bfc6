import type { AssetInputDto, ContactDto } from './dto.js';

/**
 * The flat, spreadsheet form of an asset used by CSV import and export. County offices keep their
 * inventories in Excel with Chinese headers and values, so both languages are accepted on import.
 */
interface Column {
  key: string;
  zh: string;
  aliases?: string[];
  /** Where the column lands in the API's input, so a validation error can name the column the user sees. */
  field?: string;
  read(asset: AssetView): string;
}

export interface AssetView extends Omit<AssetInputDto, 'department'> {
  id: string;
  department: string;
}

const list = (values: string[] | undefined) => (values ?? []).join(';');
const contactField = (c: ContactDto | undefined, f: keyof ContactDto) => c?.[f] ?? '';

export const COLUMNS: Column[] = [
  // First, so a re-imported export updates the very assets it came from.
  { key: 'id', zh: '编号', aliases: ['资产编号'], read: (a) => a.id },
  { key: 'name', zh: '名称', aliases: ['系统名称', '资产名称'], read: (a) => a.name },
  { key: 'type', zh: '类型', aliases: ['资产类型'], read: (a) => a.type },
  { key: 'department', zh: '部门', aliases: ['所属部门', '责任部门'], read: (a) => a.department },
  { key: 'addresses', zh: '地址', aliases: ['IP地址', '网络地址'], read: (a) => list(a.addresses) },
  { key: 'zone', zh: '网络区域', aliases: ['区域'], read: (a) => a.zone ?? '' },
  { key: 'contact_name', field: 'contact.name', zh: '联系人', read: (a) => contactField(a.contact, 'name') },
  { key: 'contact_email', field: 'contact.email', zh: '联系人邮箱', read: (a) => contactField(a.contact, 'email') },
  { key: 'contact_phone', field: 'contact.phone', zh: '联系人电话', read: (a) => contactField(a.contact, 'phone') },
  { key: 'security_contact_name', field: 'securityContact.name', zh: '安全负责人', read: (a) => contactField(a.securityContact, 'name') },
  { key: 'security_contact_email', field: 'securityContact.email', zh: '安全负责人邮箱', read: (a) => contactField(a.securityContact, 'email') },
  { key: 'security_contact_phone', field: 'securityContact.phone', zh: '安全负责人电话', read: (a) => contactField(a.securityContact, 'phone') },
  { key: 'mlps_level', field: 'mlps.level', zh: '等保级别', aliases: ['等级保护级别'], read: (a) => (a.mlps ? String(a.mlps.level) : '') },
  { key: 'mlps_filing_number', field: 'mlps.filingNumber', zh: '备案证明编号', aliases: ['备案编号'], read: (a) => a.mlps?.filingNumber ?? '' },
  { key: 'mlps_filing_date', field: 'mlps.filingDate', zh: '备案日期', read: (a) => a.mlps?.filingDate ?? '' },
  { key: 'mlps_last_assessment', field: 'mlps.lastAssessmentDate', zh: '最近测评日期', aliases: ['测评日期'], read: (a) => a.mlps?.lastAssessmentDate ?? '' },
  { key: 'cii', field: 'cii.designated', zh: '关键信息基础设施', aliases: ['是否关基'], read: (a) => (a.cii?.designated ? 'yes' : 'no') },
  { key: 'cii_designation_ref', field: 'cii.designationRef', zh: '关基认定文号', aliases: ['认定文号'], read: (a) => a.cii?.designationRef ?? '' },
  { key: 'data_categories', field: 'data.categories', zh: '数据类别', read: (a) => list(a.data?.categories) },
  { key: 'data_level', field: 'data.level', zh: '数据级别', read: (a) => a.data?.level ?? '' },
  { key: 'personal_data', field: 'data.personal', zh: '个人信息', read: (a) => a.data?.personal ?? '' },
  { key: 'personal_data_subjects', field: 'data.subjects', zh: '个人信息规模', aliases: ['涉及人数'], read: (a) => (a.data?.subjects === undefined ? '' : String(a.data.subjects)) },
  { key: 'storage_location', field: 'storageLocation', zh: '存储位置', read: (a) => a.storageLocation ?? '' },
  { key: 'criticality', zh: '重要程度', read: (a) => a.criticality ?? '' },
  { key: 'lifecycle', zh: '状态', aliases: ['生命周期状态'], read: (a) => a.lifecycle ?? '' },
  { key: 'tags', zh: '标签', read: (a) => list(a.tags) },
  // Blank: the default interval. Last, so files made before the column existed keep their layout.
  { key: 'expected_interval_minutes', field: 'expectedIntervalMinutes', zh: '预期上报间隔（分钟）', aliases: ['预期上报间隔', '上报间隔（分钟）'], read: (a) => (a.expectedIntervalMinutes == null ? '' : String(a.expectedIntervalMinutes)) },
];

/**
 * Values as people write them, including every label the console shows in either language
 * (test/unit/asset-import-labels.test.ts holds the two in step), matched without regard to case.
 */
const VALUE_ALIASES: Record<string, Record<string, string>> = {
  type: {
    服务器: 'server', 终端: 'workstation', 办公终端: 'workstation', 工作站: 'workstation', 'web 应用': 'web_application',
    'network device': 'network_device', 'iot gateway': 'iot_gateway', 'iot sensor': 'iot_sensor', 'web application': 'web_application', 'cloud service': 'cloud_service', 网络设备: 'network_device', 物联网网关: 'iot_gateway',
    物联网传感器: 'iot_sensor', 传感器: 'iot_sensor', 摄像头: 'camera', 摄像机: 'camera', web应用: 'web_application',
    网站: 'web_application', 数据库: 'database', 云服务: 'cloud_service', 其他: 'other',
  },
  data_level: { 'core data': 'core', 'important data': 'important', 'general data': 'general', 核心: 'core', 核心数据: 'core', 重要: 'important', 重要数据: 'important', 一般: 'general', 一般数据: 'general' },
  personal_data: {
    无: 'none', 否: 'none', 不含个人信息: 'none', 个人信息: 'personal', 是: 'personal', 敏感个人信息: 'sensitive', 敏感: 'sensitive',
    'no personal data': 'none', 'personal data': 'personal', 'sensitive personal data': 'sensitive',
  },
  storage_location: { 境内: 'in_china', 境外: 'abroad', 'in china': 'in_china' },
  criticality: { 低: 'low', 中: 'medium', 高: 'high', 关键: 'critical' },
  lifecycle: { 规划: 'planned', 规划中: 'planned', 在用: 'active', 运行: 'active', 维护: 'maintenance', 维护中: 'maintenance', 退役: 'retired', 下线: 'retired', 已下线: 'retired', 运行中: 'active' },
};

const TRUE_WORDS = ['yes', 'true', '1', '是', 'y'];
const FALSE_WORDS = ['no', 'false', '0', '否', 'n', ''];

export type HeaderMap = Map<number, string>;

/** Maps header cells to column keys; unknown headers are errors, not silently ignored data. */
export function mapHeader(header: string[]): { columns: HeaderMap; errors: string[] } {
  const byName = new Map<string, string>();
  for (const c of COLUMNS) for (const name of [c.key, c.zh, ...(c.aliases ?? [])]) byName.set(name.toLowerCase(), c.key);
  const columns: HeaderMap = new Map();
  const errors: string[] = [];
  header.forEach((cell, index) => {
    const key = byName.get(cell.trim().toLowerCase());
    if (!key) errors.push(`unknown column "${cell}"`);
    else if ([...columns.values()].includes(key)) errors.push(`column "${cell}" appears twice`);
    else columns.set(index, key);
  });
  if (![...columns.values()].includes('name')) errors.push('missing column "name" (名称)');
  return { columns, errors };
}

const splitList = (v: string) => v.split(/[;；|]/).map((s) => s.trim()).filter(Boolean);
/** A value by its alias or label; an English label such as "Active" is its code in another case. */
function alias(key: string, v: string): string {
  const lower = v.toLowerCase();
  return VALUE_ALIASES[key]?.[lower] ?? (/^[a-z_]+$/.test(lower) ? lower : v);
}

/**
 * One CSV row as the same plain object the JSON API accepts, so both go through one validator.
 * Values that cannot be converted are left as they are for the validator to report.
 */
export function rowToInput(cells: string[], columns: HeaderMap): Record<string, unknown> {
  const v: Record<string, string> = {};
  for (const [index, key] of columns) if (key !== 'id') v[key] = (cells[index] ?? '').trim();
  const has = (key: string) => v[key] !== undefined && v[key] !== '';
  const contact = (prefix: string) =>
    has(`${prefix}_name`) || has(`${prefix}_email`) || has(`${prefix}_phone`)
      ? { name: v[`${prefix}_name`], ...(has(`${prefix}_email`) ? { email: v[`${prefix}_email`] } : {}), ...(has(`${prefix}_phone`) ? { phone: v[`${prefix}_phone`] } : {}) }
      : undefined;
  const numeric = (raw: string) => (/^\d+$/.test(raw) ? Number(raw) : raw);
  const bool = (raw: string) => (TRUE_WORDS.includes(raw.toLowerCase()) ? true : FALSE_WORDS.includes(raw.toLowerCase()) ? false : raw);
  const input: Record<string, unknown> = {
    name: v.name,
    type: has('type') ? alias('type', v.type) : undefined,
    department: has('department') ? v.department : undefined,
    addresses: has('addresses') ? splitList(v.addresses) : undefined,
    zone: has('zone') ? v.zone : undefined,
    contact: contact('contact'),
    securityContact: contact('security_contact'),
    mlps: has('mlps_level')
      ? {
          level: numeric(v.mlps_level),
          ...(has('mlps_filing_number') ? { filingNumber: v.mlps_filing_number } : {}),
          ...(has('mlps_filing_date') ? { filingDate: v.mlps_filing_date } : {}),
          ...(has('mlps_last_assessment') ? { lastAssessmentDate: v.mlps_last_assessment } : {}),
        }
      : undefined,
    cii: has('cii') || has('cii_designation_ref') ? { designated: bool(v.cii ?? ''), ...(has('cii_designation_ref') ? { designationRef: v.cii_designation_ref } : {}) } : undefined,
    data:
      has('data_categories') || has('data_level') || has('personal_data') || has('personal_data_subjects')
        ? {
            ...(has('data_categories') ? { categories: splitList(v.data_categories) } : {}),
            ...(has('data_level') ? { level: alias('data_level', v.data_level) } : {}),
            ...(has('personal_data') ? { personal: alias('personal_data', v.personal_data) } : {}),
            ...(has('personal_data_subjects') ? { subjects: numeric(v.personal_data_subjects) } : {}),
          }
        : undefined,
    storageLocation: has('storage_location') ? alias('storage_location', v.storage_location) : undefined,
    criticality: has('criticality') ? alias('criticality', v.criticality) : undefined,
    lifecycle: has('lifecycle') ? alias('lifecycle', v.lifecycle) : undefined,
    tags: has('tags') ? splitList(v.tags) : undefined,
    // A blank cell in the column puts the asset back on the default; no column leaves it as it is.
    expectedIntervalMinutes: v.expected_interval_minutes === undefined ? undefined : has('expected_interval_minutes') ? numeric(v.expected_interval_minutes) : null,
  };
  return Object.fromEntries(Object.entries(input).filter(([, value]) => value !== undefined));
}

/** The registry id a row carries (an exported file's 编号 / id column), if any. */
export function rowId(cells: string[], columns: HeaderMap): string | undefined {
  const index = [...columns].find(([, key]) => key === 'id')?.[0];
  return index === undefined ? undefined : (cells[index] ?? '').trim() || undefined;
}

export function assetToRow(asset: AssetView): string[] {
  return COLUMNS.map((c) => c.read(asset));
}

/** The column an input field came from, as the file's header names it (a JSON import names the field itself). */
export function columnOf(field: string, columns: HeaderMap | undefined, headerCells: string[] | undefined): string {
  if (!columns || !headerCells) return field;
  const path = field.replace(/\.\d+$/, '');
  const column = COLUMNS.find((c) => (c.field ?? c.key) === path) ?? COLUMNS.find((c) => (c.field ?? c.key) === path.split('.')[0]);
  const index = [...columns].find(([, key]) => key === column?.key)?.[0];
  return index === undefined ? field : headerCells[index].trim();
}

export function tableHeader(language: 'en' | 'zh'): string[] {
  return COLUMNS.map((c) => (language === 'zh' ? c.zh : c.key));
}
