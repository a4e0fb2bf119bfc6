import { defineErrors } from '../shared/index.js';

/** What the department list refuses. */
export const departmentErrors = defineErrors('department', {
  not_found: { kind: 'not_found', message: { 'zh-CN': '没有名为“{name}”的部门', en: 'No department "{name}"' } },
  exists: { kind: 'conflict', message: { 'zh-CN': '已有名为“{name}”的部门', en: 'There is already a department "{name}"' } },
  in_use: { kind: 'conflict', message: { 'zh-CN': '部门“{name}”仍有 {assets} 个资产和 {users} 个用户，请先把它们移到其他部门', en: 'Department "{name}" still has {assets} asset(s) and {users} user(s): move them to another department first' } },
});
