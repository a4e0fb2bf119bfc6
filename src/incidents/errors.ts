import { defineErrors } from '../shared/index.js';

/** The incident module's coded errors (issue 14: merge, split, grading facts and reports). */
export const incidentErrors = defineErrors('incident', {
  not_found: { kind: 'not_found', message: { 'zh-CN': '没有事件 {id}', en: 'No incident {id}' } },
  assets_unknown: { kind: 'invalid', message: { 'zh-CN': 'assetIds：没有资产 {assetIds}', en: 'assetIds: no asset {assetIds}' } },
  protect_ticket_no_category: { kind: 'invalid', message: { 'zh-CN': '防护工单没有事件分类', en: 'category: protect tickets have no category' } },
  protect_ticket_not_graded: { kind: 'invalid', message: { 'zh-CN': '防护工单不定级', en: 'Protect tickets are not graded' } },
  protect_ticket_no_alerts: { kind: 'invalid', message: { 'zh-CN': '告警只能关联到事件，不能关联到防护工单', en: 'Alerts link to incidents, not protect tickets' } },
  protect_ticket_no_report: { kind: 'invalid', message: { 'zh-CN': '防护工单没有报告', en: 'Protect tickets have no report' } },
  transition_refused: { kind: 'conflict', message: { 'zh-CN': '不能从“{from}”转到“{to}”；可转到：{allowed}', en: 'Cannot go from {from} to {to}; allowed: {allowed}' } },
  reason_required: { kind: 'invalid', message: { 'zh-CN': '此操作需要填写原因', en: 'This step needs a reason' } },
  duplicate_of_required: { kind: 'invalid', message: { 'zh-CN': '请指明与哪个事件重复', en: 'Name the incident this one duplicates' } },
  review_incomplete: { kind: 'invalid', message: { 'zh-CN': '关闭前须完成事后复盘：根本原因、经验教训和至少一项防护措施', en: 'Closing needs the post-incident review: root cause, lessons and at least one protective action' } },
  duplicate_unknown: { kind: 'invalid', message: { 'zh-CN': 'duplicateOf：没有事件 {id}', en: 'duplicateOf: no incident {id}' } },
  duplicate_of_self: { kind: 'invalid', message: { 'zh-CN': '事件不能与自身重复', en: 'duplicateOf: an incident cannot duplicate itself' } },
  not_quiet: { kind: 'conflict', message: { 'zh-CN': '引发本事件的规则于 {lastFiredAt} 仍在其资产上告警；{quietUntil} 之后可关闭，或填写原因后强制关闭', en: 'The rules that raised this incident fired on its assets at {lastFiredAt}; it can close after {quietUntil}, or override with a reason' } },
  quiet_override_reason: { kind: 'invalid', message: { 'zh-CN': '跳过恢复观察期需要填写原因', en: 'reason: overriding the recovery quiet period needs a reason' } },
  alerts_unknown: { kind: 'invalid', message: { 'zh-CN': 'alertIds：没有告警 {alertIds}', en: 'alertIds: no alert {alertIds}' } },
  alerts_elsewhere: { kind: 'conflict', message: { 'zh-CN': '告警已在其他事件中：{alerts}', en: 'Alert(s) already in another incident: {alerts}' } },
  alert_not_found: { kind: 'not_found', message: { 'zh-CN': '没有告警 {id}', en: 'No alert {id}' } },
  task_not_found: { kind: 'not_found', message: { 'zh-CN': '{key} 中没有任务 {taskId}', en: 'No task {taskId} in {key}' } },
  task_not_yours: { kind: 'not_found', message: { 'zh-CN': '{key} 中没有分派给您的任务 {taskId}', en: 'No task {taskId} assigned to you in {key}' } },
  owner_task_fields: { kind: 'invalid', message: { 'zh-CN': '系统负责人只能修改自己任务的状态和备注', en: 'Owners may change only the status and note of their own tasks' } },
  user_inactive: { kind: 'invalid', message: { 'zh-CN': '没有启用中的用户 {userId}', en: 'No active user {userId}' } },
  assignee_not_analyst: { kind: 'invalid', message: { 'zh-CN': '用户 {userId} 的角色是 {role}；事件只能分派给安全分析员', en: 'User {userId} is {role}; incidents are assigned to analysts' } },
  task_assignee_other_department: { kind: 'invalid', message: { 'zh-CN': 'assigneeId：{userId} 负责 {department} 的系统，{key} 不涉及该部门', en: 'assigneeId: {userId} owns systems of {department}, which {key} does not touch' } },
  task_assignee_compliance: { kind: 'invalid', message: { 'zh-CN': '合规专员不承担事件处置任务', en: 'assigneeId: compliance officers are not assigned incident tasks' } },
  grading_asset_foreign: { kind: 'invalid', message: { 'zh-CN': 'gradingFacts.assets[{index}].assetId：{assetId} 不是本事件的资产', en: "gradingFacts.assets[{index}].assetId: {assetId} is not one of the incident's assets" } },
  report_move_refused: { kind: 'conflict', message: { 'zh-CN': '处于“{from}”的报告不能变为“{to}”', en: 'A {from} report cannot become {to}' } },
  report_summary_incomplete: { kind: 'conflict', message: { 'zh-CN': '终报需要完整的总结，缺少：{missing}', en: 'The final report needs the whole closing summary; missing: {missing}' } },
  report_handling_not_ended: { kind: 'conflict', message: { 'zh-CN': '总结报告须在处置结束（恢复进入验证）之后提交；{key} 目前为 {state}', en: 'The closing summary follows the end of handling (recovery under verification); {key} is {state}' } },
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
