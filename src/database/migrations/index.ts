import { Foundation1764374400000 } from './1764374400000-foundation.js';

/** Every migration in order; the same list runs on the embedded database and on a server. */
export const MIGRATIONS = [Foundation1764374400000];
