export { Access, ACCESS_POLICY, type AccessPolicy } from './access.decorator.js';
export { type AuthenticatedRequest } from './access.guard.js';
export { bearerCredential, requestCredential } from './credentials.js';
export { AuthModule } from './auth.module.js';
export { AuthService } from './auth.service.js';
export { authenticateBeforeBody } from './authenticate-first.js';
export { User } from './entities.js';
export { actorName, departmentScope, ROLES, type Caller, type Principal, type Role } from './roles.js';
export { UsersService } from './users.service.js';
