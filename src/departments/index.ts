export { DepartmentsModule } from './departments.module.js';
export { DepartmentsService, type DepartmentView } from './departments.service.js';
export { departmentErrors } from './errors.js';
