import { defineErrors } from '../shared/index.js';

/** What rule management (upload, test, delete, exceptions) refuses. */
export const ruleErrors = defineErrors('rule', {
  not_found: { kind: 'not_found', message: { 'zh-CN': '没有规则 {id}', en: 'No rule {id}' } },
  body_required: { kind: 'invalid', message: { 'zh-CN': '请把规则 YAML 作为请求体发送', en: 'Send the rule YAML as the request body' } },
  already_loaded: { kind: 'conflict', message: { 'zh-CN': '已加载 id 为 {id} 的规则', en: 'A rule with id {id} is already loaded' } },
  upload_name_taken: { kind: 'conflict', message: { 'zh-CN': '已有同名的上传规则文件 {file}', en: 'An uploaded rule file named {file} already exists' } },
  upload_not_loaded: { kind: 'conflict', message: { 'zh-CN': '规则文件未能加载，已撤回', en: 'The rule file did not load and was taken back out' } },
  not_uploaded: { kind: 'conflict', message: { 'zh-CN': '只能删除通过接口上传的规则；{id} 来自 {file}', en: 'Only uploaded rules can be deleted; {id} comes from {file}' } },
  used_by_correlations: { kind: 'conflict', message: { 'zh-CN': '关联规则 {correlations} 仍在使用该文件中的规则，请先删除或修改它们', en: 'Correlation(s) {correlations} use rules of this file; delete or change them first' } },
  file_too_large: { kind: 'too_large', message: { 'zh-CN': '规则文件 {bytes} 字节，超过 {limit} 字节上限', en: 'The rule file is {bytes} bytes, more than the {limit} allowed' } },
  file_over_limit: { kind: 'unprocessable', message: { 'zh-CN': '规则文件超出处理限制，{consequence}：{limit}', en: 'The rule file exceeds a processing limit; {consequence}: {limit}' } },
  file_invalid: { kind: 'invalid', message: { 'zh-CN': '规则文件有 {count} 处问题，{consequence}', en: 'The rule file has {count} problem(s); {consequence}' } },
  file_empty: { kind: 'invalid', message: { 'zh-CN': '文件中没有规则', en: 'The file holds no rule' } },
  test_one_source: { kind: 'invalid', message: { 'zh-CN': '请只给出 ruleId（已加载的规则）或 yaml（规则文件）之一', en: 'Send either ruleId (a loaded rule) or yaml (a rule file), not both' } },
  dormant: { kind: 'conflict', message: { 'zh-CN': '该规则处于休眠状态，暂不能在事件上运行：{reason}', en: 'The rule is dormant and cannot run on events yet: {reason}' } },
  too_many_test_events: { kind: 'invalid', message: { 'zh-CN': 'events：每次测试最多 {max} 条事件（收到 {count} 条）', en: 'events: at most {max} events per test (got {count})' } },
  exception_expiry_past: { kind: 'invalid', message: { 'zh-CN': 'expiresAt：失效时间须在将来', en: 'expiresAt must be in the future' } },
  exception_not_found: { kind: 'not_found', message: { 'zh-CN': '没有规则例外 {id}', en: 'No rule exception {id}' } },
});

/** What happens to a refused rule file, said in the refusal. */
export const CONSEQUENCES = {
  checked: { 'zh-CN': '未作检查', en: 'nothing was checked' },
  saved: { 'zh-CN': '未保存任何内容', en: 'nothing was saved' },
  tested: { 'zh-CN': '未作测试', en: 'nothing was tested' },
} as const;
export type Consequence = (typeof CONSEQUENCES)[keyof typeof CONSEQUENCES];
