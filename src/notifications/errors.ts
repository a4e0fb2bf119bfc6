import { defineErrors } from '../shared/index.js';

/** What notification settings and the outbox refuse. */
export const notificationErrors = defineErrors('notification', {
  nothing_to_change: { kind: 'invalid', message: { 'zh-CN': '没有要修改的内容：请给出 onDuty 或 kinds', en: 'Nothing to change: give onDuty and/or kinds' } },
  on_duty_role: { kind: 'invalid', message: { 'zh-CN': '只有安全分析员和管理员可以值班；该账户的角色是 {role}', en: 'Only analysts and administrators can be on duty; this account has role {role}' } },
  smtp_refused: { kind: 'upstream_failed', message: { 'zh-CN': '邮件服务器未接受测试邮件：{reason}', en: 'The SMTP server did not accept the test message: {reason}' } },
  smtp_not_configured: { kind: 'conflict', message: { 'zh-CN': '尚未配置邮件服务器：请设置 TAISHI_SMTP_HOST（及其他 TAISHI_SMTP_* 设置）后重启', en: 'SMTP is not configured: set TAISHI_SMTP_HOST (and the other TAISHI_SMTP_* settings) and restart' } },
  no_address: { kind: 'invalid', message: { 'zh-CN': '您的账户没有电子邮箱，请在“收件人”中填写一个', en: 'Your account has no e-mail address; give one in "to"' } },
  message_not_found: { kind: 'not_found', message: { 'zh-CN': '发件箱中没有消息 {id}', en: 'No outbox message {id}' } },
  already_sent: { kind: 'conflict', message: { 'zh-CN': '消息 {id} 已于 {sentAt} 发出', en: 'Message {id} was already sent at {sentAt}' } },
  recipient_unreachable: { kind: 'conflict', message: { 'zh-CN': '收件人仍没有电子邮箱，或账户已停用', en: 'The recipient still has no e-mail address, or is disabled' } },
  no_recipient: { kind: 'conflict', message: { 'zh-CN': '这条通知没有收件人', en: 'This notification had no recipient' } },
});
