import { defineErrors } from '../shared/index.js';

/** What the asset registry refuses. */
export const assetErrors = defineErrors('asset', {
  not_found: { kind: 'not_found', message: { 'zh-CN': '没有编号为 {id} 的资产', en: 'No asset {id}' } },
  department_required: { kind: 'invalid', message: { 'zh-CN': '必须填写所属部门', en: 'department: required' } },
  own_department_only: { kind: 'forbidden', message: { 'zh-CN': '系统负责人只能为本部门（{department}）登记资产', en: 'Owners register assets for their own department ({department}) only' } },
  add_departments_admin_only: { kind: 'forbidden', message: { 'zh-CN': '只有管理员可以在导入时添加新部门', en: 'Only administrators may add departments during an import (addDepartments)' } },
  overlap_admin_only: { kind: 'forbidden', message: { 'zh-CN': '只有管理员可以强制登记重叠的地址', en: 'Only administrators may register overlapping addresses (allowOverlap)' } },
  contact_unknown: { kind: 'invalid', message: { 'zh-CN': '联系人用户 {id} 不存在', en: 'contactUserId: no user {id}' } },
  invalid_addresses: { kind: 'invalid', message: { 'zh-CN': '以下地址无法识别（须为 IP 地址、CIDR 网段、MAC 地址或主机名）：{addresses}', en: 'Not an IP address, CIDR block, MAC address or host name: {addresses}' } },
  address_conflict: { kind: 'conflict', message: { 'zh-CN': '地址冲突：{problems}', en: 'Address conflict: {problems}' } },
  catch_all_admin_only: { kind: 'forbidden', message: { 'zh-CN': '{address}：只有管理员可以登记宽于 /16（IPv4）或 /48（IPv6）的地址段', en: '{address}: only administrators register ranges wider than /16 (IPv4) or /48 (IPv6)' } },
  address_taken: { kind: 'conflict', message: { 'zh-CN': '该地址已登记在另一资产上', en: 'An address is already registered to another asset' } },
  import_empty_body: { kind: 'invalid', message: { 'zh-CN': '请把 CSV 或 JSON 文件作为请求体发送', en: 'Send the CSV or JSON file as the request body' } },
  import_format_unknown: { kind: 'unsupported_type', message: { 'zh-CN': '请发送 text/csv 或 application/json，或用 ?format=csv|json 指明格式', en: 'Send text/csv or application/json, or name the format with ?format=csv|json' } },
  import_malformed_json: { kind: 'invalid', message: { 'zh-CN': 'JSON 格式错误：{reason}', en: 'Malformed JSON: {reason}' } },
  import_json_not_array: { kind: 'invalid', message: { 'zh-CN': 'JSON 导入文件须是资产数组', en: 'A JSON import is an array of assets' } },
  import_csv_empty: { kind: 'invalid', message: { 'zh-CN': 'CSV 文件是空的', en: 'The CSV file is empty' } },
  import_csv_header: { kind: 'invalid', message: { 'zh-CN': 'CSV 表头有误：{problems}', en: 'CSV header: {problems}' } },
  import_value_missing: { kind: 'invalid', message: { 'zh-CN': '“{column}”一栏必须填写', en: 'Column "{column}" must be filled in' } },
  import_invalid_value: { kind: 'invalid', message: { 'zh-CN': '“{column}”一栏的“{value}”无法识别', en: 'Column "{column}": "{value}" is not a value Taishi accepts' } },
  import_address_repeated: { kind: 'invalid', message: { 'zh-CN': '地址 {address} 在本文件第 {row} 行已出现', en: 'Address {address} already appears on row {row} of this file' } },
  import_id_unknown: { kind: 'invalid', message: { 'zh-CN': '没有编号为 {id} 的资产（或您无权修改它）', en: 'No asset {id} (or not one you may change)' } },
  import_name_ambiguous: { kind: 'invalid', message: { 'zh-CN': '{department}有 {count} 个名为“{name}”的资产，请填写编号一栏指明要更新哪一个', en: '{department} has {count} assets named "{name}": fill in the id column to say which to update' } },
  import_same_asset_twice: { kind: 'invalid', message: { 'zh-CN': '第 {row} 行已在更新同一资产', en: 'Row {row} already updates the same asset' } },
  import_department_unknown: { kind: 'invalid', message: { 'zh-CN': '部门“{department}”不在部门列表中：请管理员先在“部门”页添加，或导入时选择添加新部门（命令行 --add-departments），或改用列表中的名称', en: 'Department "{department}" is not in the department list: an administrator adds it on the Departments page first, or imports with "add new departments" (--add-departments on the command line), or use a listed name' } },
  import_refused: { kind: 'unprocessable', message: { 'zh-CN': '导入被拒绝：{rows} 行有错误，未写入任何数据', en: 'Import refused: {rows} row(s) have errors; nothing was written' } },
});
