import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

export const ALERT_STATUSES = ['open', 'acknowledged', 'closed'] as const;
/** What a list may filter on: a status, or `unclosed` (open or acknowledged), which the situation counts as open alerts. */
export const ALERT_LIST_STATUSES = [...ALERT_STATUSES, 'unclosed'] as const;
export const RESOLUTIONS = ['true_positive', 'false_positive', 'benign', 'duplicate', 'other'] as const;

@Entity('alerts')
export class Alert {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ name: 'rule_id' }) ruleId: string;
  @Column({ name: 'rule_title' }) ruleTitle: string;
  @Column({ name: 'rule_kind', type: 'text' }) ruleKind: 'rule' | 'correlation' | 'scheduled';
  @Column() level: string;
  @Column({ type: 'text', array: true }) tags: string[];
  @Column({ name: 'group_key' }) groupKey: string;
  @Column({ name: 'asset_id', type: 'uuid', nullable: true }) assetId: string | null;
  @Column({ type: 'text', nullable: true }) department: string | null;
  @Column({ type: 'text' }) status: (typeof ALERT_STATUSES)[number];
  @Column({ type: 'text', nullable: true }) resolution: (typeof RESOLUTIONS)[number] | null;
  @Column({ name: 'status_note', type: 'text', nullable: true }) statusNote: string | null;
  @Column({ name: 'status_by', type: 'text', nullable: true }) statusBy: string | null;
  @Column({ name: 'status_at', type: 'timestamptz', nullable: true }) statusAt: Date | null;
  @Column() count: number;
  @Column({ name: 'first_seen', type: 'timestamptz' }) firstSeen: Date;
  @Column({ name: 'last_seen', type: 'timestamptz' }) lastSeen: Date;
  @Column({ name: 'event_ids', type: 'text', array: true }) eventIds: string[];
  /** `ip:…`, `host:…`, `user:…` of the events' actors, for grouping alerts into incidents. */
  @Column({ type: 'text', array: true }) actors: string[];
  @Column({ name: 'created_at', type: 'timestamptz', insert: false, update: false }) createdAt: Date;
}
