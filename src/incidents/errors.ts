import { defineErrors } from '../shared/index.js';

/** The incident module's coded errors (issue 14: merge, split, grading facts and reports). */
export const incidentErrors = defineErrors('incident', {
  merge_into_self: {
    kind: 'invalid',
    message: { 'zh-CN': '事件 {key} 不能合并到自身', en: 'Incident {key} cannot be merged into itself' },
  },
  merge_not_incident: {
    kind: 'invalid',
    message: { 'zh-CN': '只有事件可以合并，{key} 不是事件', en: 'Only incidents merge; {key} is not one' },
  },
  merge_target_closed: {
    kind: 'conflict',
    message: { 'zh-CN': '{key} 状态为 {state}，只能合并到处理中的事件', en: '{key} is {state}; merge into an open incident' },
  },
  merge_source_closed: {
    kind: 'conflict',
    message: { 'zh-CN': '{key} 状态为 {state}，不能再被合并', en: '{key} is {state} and cannot be merged' },
  },
  not_merged: {
    kind: 'conflict',
    message: { 'zh-CN': '{key} 不是合并到 {into} 的事件，无法拆分', en: '{key} was not merged into {into}, so there is nothing to split back' },
  },
  report_items_missing: {
    kind: 'conflict',
    message: {
      'zh-CN': '报告缺少必报事项：{missing}。请补充，或在 missingReason 中说明原因后再标记为已报送',
      en: 'The report lacks mandatory items: {missing}. Fill them in, or state why in missingReason, before marking it submitted',
    },
  },
});
