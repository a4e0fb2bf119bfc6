export { DepartmentsModule } from './departments.module.js';
export { DepartmentsService } from './departments.service.js';
export { type DepartmentView } from './departments.repository.js';
export { departmentErrors } from './errors.js';
