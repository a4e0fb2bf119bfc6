import { defineErrors } from '../shared/index.js';

/** What the HTTP front door refuses; every refusal says what of the request was stored (nothing). */
export const ingestErrors = defineErrors('ingest', {
  body_required: { kind: 'invalid', message: { 'zh-CN': '请把事件作为请求体发送（NDJSON、JSON 数组或 text/plain 文本行）', en: 'Send events as the request body (NDJSON, a JSON array, or text/plain lines)' } },
  malformed_json_array: { kind: 'invalid', message: { 'zh-CN': '请求体以 JSON 数组开头，但不是合法的数组：{reason}', en: 'The body starts like a JSON array but is not one: {reason}' } },
  no_valid_events: { kind: 'invalid', message: { 'zh-CN': '请求体中没有有效事件（{rejected} 行被拒收）', en: 'No valid events in the body ({rejected} line(s) rejected)' } },
  batch_too_large: { kind: 'too_large', message: { 'zh-CN': '一批最多 {maxEvents} 条事件（收到 {events} 条），请分批发送（设置项 TAISHI_INGEST_QUEUE_EVENTS）', en: 'A batch may hold at most {maxEvents} events (got {events}; setting TAISHI_INGEST_QUEUE_EVENTS); send this one in parts' } },
  saturated: { kind: 'unavailable', message: { 'zh-CN': '采集队列已满，本次请求的内容均未保存，请 {retryAfterSeconds} 秒后重试', en: 'Ingest is saturated; nothing from this request was stored, retry after {retryAfterSeconds} s' } },
  journal_unwritable: {
    kind: 'unavailable',
    message: {
      'zh-CN': '接收日志无法写入磁盘（{reason}，请检查 TAISHI_DATA_DIR 所在磁盘的空间与权限），本次请求的内容均未保存，请 {retryAfterSeconds} 秒后重试',
      en: 'The ingest journal cannot be written to disk ({reason}; check space and permissions where TAISHI_DATA_DIR is); nothing from this request was stored, retry after {retryAfterSeconds} s',
    },
  },
});
