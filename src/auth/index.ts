export { type AuthenticatedRequest } from './access.guard.js';
export { bearerCredential, requestCredential } from './credentials.js';
export { CurrentPrincipal, SourceIp } from './request.js';
export { AuthModule } from './auth.module.js';
export { AuthService } from './auth.service.js';
export { authenticateBeforeBody } from './authenticate-first.js';
export { actorName, departmentScope, ROLES, type Caller, type Principal, type Role } from '../shared/principal.js';
export { UsersService } from './users.service.js';
