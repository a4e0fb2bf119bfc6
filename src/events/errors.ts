import { defineErrors } from '../shared/index.js';

/** What event search refuses. */
export const eventErrors = defineErrors('event', {
  not_found: { kind: 'not_found', message: { 'zh-CN': '没有编号为 {id} 的事件', en: 'No event {id}' } },
  bad_filter: { kind: 'invalid', message: { 'zh-CN': '筛选条件“{filter}”应为 字段:值，字段须是 {fields} 之一', en: 'filter: "{filter}" is not field:value with a field among {fields}' } },
  range_reversed: { kind: 'invalid', message: { 'zh-CN': '开始时间必须早于结束时间', en: 'from must be before to' } },
  bad_cursor: { kind: 'invalid', message: { 'zh-CN': '翻页标记无效或已过期，请从第一页重新查询', en: 'The page cursor is invalid or stale; search again from the first page' } },
});
