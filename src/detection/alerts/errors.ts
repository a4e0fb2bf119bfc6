import { defineErrors } from '../../shared/index.js';

/** What alert triage refuses. */
export const alertErrors = defineErrors('alert', {
  not_found: { kind: 'not_found', message: { 'zh-CN': '没有编号为 {id} 的告警', en: 'No alert {id}' } },
  transition_refused: { kind: 'conflict', message: { 'zh-CN': '告警不能从“{from}”变为“{to}”', en: 'An alert that is {from} cannot become {to}' } },
  resolution_required: { kind: 'invalid', message: { 'zh-CN': '关闭告警时必须选择处理结论', en: 'resolution: required when closing an alert' } },
  reopen_note_required: { kind: 'invalid', message: { 'zh-CN': '重新打开告警时请说明原因', en: 'note: say why the alert is reopened' } },
});
