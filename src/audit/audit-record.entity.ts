import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

@Entity('audit_log')
export class AuditRecord {
  // bigint comes back from pg as a string; kept as one to stay exact past 2^53.
  @PrimaryGeneratedColumn({ type: 'bigint' }) id: string;
  @Column({ type: 'timestamptz' }) at: Date;
  @Column() actor: string;
  @Column({ name: 'actor_role', type: 'text', nullable: true }) actorRole: string | null;
  @Column() action: string;
  @Column({ name: 'target_type', type: 'text', nullable: true }) targetType: string | null;
  @Column({ name: 'target_id', type: 'text', nullable: true }) targetId: string | null;
  @Column() outcome: string;
  @Column({ name: 'source_ip', type: 'text', nullable: true }) sourceIp: string | null;
  @Column({ type: 'jsonb', nullable: true }) before: object | null;
  @Column({ type: 'jsonb', nullable: true }) after: object | null;
  @Column({ name: 'prev_hash' }) prevHash: string;
  @Column() hash: string;
  /** Which key made `hash` (an HMAC); null on the unkeyed records an earlier release wrote. */
  @Column({ name: 'key_id', type: 'text', nullable: true }) keyId: string | null;
}
