import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import type { ApiKeyScope, Role } from '../shared/principal.js';

@Entity('users')
export class User {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column() username: string;
  @Column({ name: 'display_name' }) displayName: string;
  @Column({ type: 'text', nullable: true }) email: string | null;
  @Column({ type: 'text' }) role: Role;
  @Column({ type: 'text', nullable: true }) department: string | null;
  @Column({ type: 'text' }) language: 'zh-CN' | 'en';
  @Column({ name: 'time_zone', type: 'text', nullable: true }) timeZone: string | null;
  @Column({ name: 'password_hash' }) passwordHash: string;
  @Column({ name: 'password_changed_at', type: 'timestamptz' }) passwordChangedAt: Date;
  @Column() disabled: boolean;
  @Column({ name: 'created_at', type: 'timestamptz', insert: false, update: false }) createdAt: Date;
  @Column({ name: 'updated_at', type: 'timestamptz' }) updatedAt: Date;
}

@Entity('sessions')
export class Session {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ name: 'user_id' }) userId: string;
  @Column({ name: 'token_hash' }) tokenHash: string;
  @Column({ name: 'source_ip', type: 'text', nullable: true }) sourceIp: string | null;
  @Column({ name: 'created_at', type: 'timestamptz', insert: false, update: false }) createdAt: Date;
  @Column({ name: 'expires_at', type: 'timestamptz' }) expiresAt: Date;
  @Column({ name: 'revoked_at', type: 'timestamptz', nullable: true }) revokedAt: Date | null;
}

@Entity('api_keys')
export class ApiKey {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column() name: string;
  @Column() prefix: string;
  @Column({ name: 'key_hash' }) keyHash: string;
  @Column({ type: 'text', array: true }) scopes: ApiKeyScope[];
  @Column({ name: 'created_by', type: 'uuid', nullable: true }) createdBy: string | null;
  @Column({ name: 'created_at', type: 'timestamptz', insert: false, update: false }) createdAt: Date;
  @Column({ name: 'last_used_at', type: 'timestamptz', nullable: true }) lastUsedAt: Date | null;
  @Column({ name: 'revoked_at', type: 'timestamptz', nullable: true }) revokedAt: Date | null;
}

/** What the API shows of a user: never the password hash; `lockedUntil` is the latest lockout from any address. */
export function publicUser(user: User, lockedUntil: Date | null = null) {
  return {
    id: user.id,
    username: user.username,
    displayName: user.displayName,
    email: user.email,
    role: user.role,
    department: user.department,
    language: user.language,
    timeZone: user.timeZone ?? null,
    disabled: user.disabled,
    lockedUntil: lockedUntil?.toISOString() ?? null,
    createdAt: user.createdAt?.toISOString(),
  };
}

export function publicApiKey(key: ApiKey) {
  return {
    id: key.id,
    name: key.name,
    prefix: key.prefix,
    scopes: key.scopes,
    createdAt: key.createdAt?.toISOString(),
    lastUsedAt: key.lastUsedAt?.toISOString() ?? null,
    revokedAt: key.revokedAt?.toISOString() ?? null,
  };
}
