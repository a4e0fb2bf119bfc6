import { defineErrors } from '../shared/index.js';

/** What login, sessions, API keys and the access check refuse, and the user administration. */
export const authErrors = defineErrors('auth', {
  invalid_credentials: { kind: 'unauthenticated', message: { 'zh-CN': '用户名或密码错误', en: 'Invalid username or password' } },
  login_required: { kind: 'unauthenticated', message: { 'zh-CN': '需要登录：请发送 Authorization: Bearer <令牌或 API 密钥>', en: 'Authentication required: send Authorization: Bearer <token or API key>' } },
  session_expired: { kind: 'unauthenticated', message: { 'zh-CN': '会话已过期或无效，请重新登录', en: 'Session expired or invalid; log in again' } },
  api_key_invalid: { kind: 'unauthenticated', message: { 'zh-CN': 'API 密钥未知或已吊销', en: 'Unknown or revoked API key' } },
  too_many_attempts: { kind: 'rate_limited', message: { 'zh-CN': '登录尝试过于频繁，请 {retryAfterSeconds} 秒后再试', en: 'Too many login attempts; retry after {retryAfterSeconds} s' } },
  locked_out: { kind: 'locked', message: { 'zh-CN': '此地址登录失败次数过多，锁定至 {until}', en: 'Too many failed logins from this address: locked until {until}' } },
  database_unavailable: { kind: 'unavailable', message: { 'zh-CN': '数据库暂不可用，请稍后重试', en: 'The database is unavailable; retry shortly' } },
  csrf_header_required: { kind: 'forbidden', message: { 'zh-CN': '以会话 Cookie 认证的修改请求须带请求头 {header}: 1', en: 'Requests that change something and are authenticated by the session cookie need the header {header}: 1' } },
  no_access_policy: { kind: 'forbidden', message: { 'zh-CN': '此接口未声明访问策略', en: 'This route has no access policy' } },
  role_forbidden: { kind: 'forbidden', message: { 'zh-CN': '角色“{role}”无权执行此操作', en: 'Role {role} may not do this' } },
  scope_forbidden: { kind: 'forbidden', message: { 'zh-CN': 'API 密钥的权限范围不允许此操作', en: 'API key scope does not allow this' } },
  user_not_found: { kind: 'not_found', message: { 'zh-CN': '没有编号为 {id} 的用户', en: 'No user {id}' } },
  username_taken: { kind: 'conflict', message: { 'zh-CN': '用户名 {username} 已被使用', en: 'Username {username} is already taken' } },
  owner_needs_department: { kind: 'invalid', message: { 'zh-CN': '系统负责人角色的用户必须填写所属部门', en: 'A user with role owner needs a department' } },
  department_unknown: { kind: 'invalid', message: { 'zh-CN': '部门“{department}”不在部门列表中：请改用列表中的名称，或先在“部门”页添加', en: 'Department "{department}" is not in the department list: use a listed name, or add it on the Departments page first' } },
  no_self_demotion: { kind: 'invalid', message: { 'zh-CN': '管理员不能降低自己的角色或停用自己，请另一位管理员操作', en: 'Administrators cannot demote or disable themselves; ask another administrator' } },
  password_locked_out: { kind: 'locked', message: { 'zh-CN': '此地址密码核对失败次数过多，锁定至 {until}', en: 'Too many failed password checks from this address: locked until {until}' } },
  current_password_wrong: { kind: 'unauthenticated', message: { 'zh-CN': '当前密码不正确', en: 'Current password is wrong' } },
  api_key_not_found: { kind: 'not_found', message: { 'zh-CN': '没有有效的 API 密钥 {id}', en: 'No active API key {id}' } },
});
