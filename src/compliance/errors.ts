import { defineErrors } from '../shared/index.js';

/** What audits, findings, attestations and profiles refuse. */
export const complianceErrors = defineErrors('compliance', {
  control_unknown: { kind: 'invalid', message: { 'zh-CN': '目录中没有控制项 {controlId}', en: 'controlId: no control {controlId} in the catalogue' } },
  subject_type_mismatch: { kind: 'invalid', message: { 'zh-CN': '控制项 {controlId} 适用于 {appliesTo}，应为 {expected} 提交证明', en: 'subjectType: {controlId} applies to {appliesTo}; attest it for an {expected}' } },
  organisation_id: { kind: 'invalid', message: { 'zh-CN': '组织的编号是“{id}”', en: 'subjectId: the organisation\'s id is "{id}"' } },
  asset_not_found: { kind: 'not_found', message: { 'zh-CN': '没有编号为 {id} 的资产', en: 'No asset {id}' } },
  evidence_as_body: { kind: 'unsupported_type', message: { 'zh-CN': '请以文件本身作为请求体发送（如 application/pdf 或 application/octet-stream），不要用 application/json', en: 'Send the evidence file itself as the body (e.g. application/pdf or application/octet-stream), not as application/json' } },
  valid_until_past: { kind: 'invalid', message: { 'zh-CN': '有效期（validUntil）不能早于今天', en: 'validUntil must not be in the past' } },
  valid_until_too_late: { kind: 'invalid', message: { 'zh-CN': '有效期（validUntil）最晚为 {latest}（{controlId} 的证明最长有效 {maxDays} 天）', en: 'validUntil must be on or before {latest} ({controlId} allows {maxDays} days)' } },
  evidence_too_large: { kind: 'too_large', message: { 'zh-CN': '证据文件超过 {limit} 字节上限（设置项 TAISHI_EVIDENCE_MAX_BYTES）', en: 'Evidence file larger than {limit} bytes (setting TAISHI_EVIDENCE_MAX_BYTES)' } },
  evidence_empty: { kind: 'invalid', message: { 'zh-CN': '请求体为空：请发送证据文件', en: 'Empty body: send the evidence file' } },
  attestation_not_found: { kind: 'not_found', message: { 'zh-CN': '没有编号为 {id} 的证明', en: 'No attestation {id}' } },
  evidence_missing: { kind: 'conflict', message: { 'zh-CN': '证明 {id} 的证据文件缺失', en: 'The evidence file of attestation {id} is missing' } },
  evidence_tampered: { kind: 'conflict', message: { 'zh-CN': '证明 {id} 的证据文件与登记的 SHA-256 不符，可能已被改动', en: 'The stored evidence of attestation {id} no longer matches its recorded SHA-256' } },
  finding_not_found: { kind: 'not_found', message: { 'zh-CN': '没有编号为 {id} 的发现项', en: 'No finding {id}' } },
  finding_move_refused: { kind: 'conflict', message: { 'zh-CN': '发现项状态不能从 {from} 变为 {to}', en: 'A finding cannot move from {from} to {to}' } },
  finding_has_ticket: { kind: 'conflict', message: { 'zh-CN': '该发现项已有保护工单 {key}', en: 'Finding already has protect ticket {key}' } },
  finding_resolved: { kind: 'conflict', message: { 'zh-CN': '发现项已解决', en: 'The finding is resolved' } },
  profile_not_found: { kind: 'not_found', message: { 'zh-CN': '没有审计方案 {id}', en: 'No audit profile {id}' } },
  profile_default_undeletable: { kind: 'conflict', message: { 'zh-CN': '默认审计方案不能删除，可修改其计划', en: 'The default profile cannot be deleted; change its schedule instead' } },
  profile_name_taken: { kind: 'conflict', message: { 'zh-CN': '已有同名审计方案', en: 'A profile with this name exists' } },
  run_not_found: { kind: 'not_found', message: { 'zh-CN': '没有审计运行 {id}', en: 'No audit run {id}' } },
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
