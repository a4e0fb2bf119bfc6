import { Injectable, type OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { NotificationsService, type DigestRecipient, type DigestSection, type DigestSource } from '../notifications/index.js';
import { gradeName, type GradeOrUnrated } from './core/grading.js';
import { OPEN_INCIDENT_STATES } from './core/workflow.js';
import { ReportingService } from './reporting.service.js';

const MAX_LISTED = 10;
const BEIJING_ZH = new Intl.DateTimeFormat('zh-CN', { timeZone: 'Asia/Shanghai', dateStyle: 'short', timeStyle: 'short' });
const BEIJING_EN = new Intl.DateTimeFormat('en-GB', { timeZone: 'Asia/Shanghai', dateStyle: 'medium', timeStyle: 'short' });

/** The incidents part of the daily digest: what came in, what is still open, which clocks run. */
@Injectable()
export class IncidentDigest implements DigestSource, OnModuleInit {
  readonly name = 'incidents';

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly notifications: NotificationsService,
    private readonly reporting: ReportingService,
  ) {}

  onModuleInit(): void {
    this.notifications.registerDigestSource(this);
  }

  async sections(recipient: DigestRecipient, window: { from: Date; to: Date }): Promise<DigestSection[]> {
    const scope = recipient.role === 'owner' ? (recipient.department ?? '') : undefined;
    // The department, when confined, is always the last parameter.
    const scoped = (n: number) => (scope === undefined ? '' : `AND departments @> ARRAY[$${n}]::text[]`);
    const params = (extra: unknown[]) => (scope === undefined ? extra : [...extra, scope]);
    const fresh: { key: string; title: string; grade: GradeOrUnrated }[] = await this.dataSource.query(
      `SELECT key, title, grade FROM incidents WHERE kind = 'incident' AND created_at >= $1 AND created_at < $2 ${scoped(3)} ORDER BY created_at`,
      params([window.from, window.to]),
    );
    const open: { grade: GradeOrUnrated; n: number }[] = await this.dataSource.query(
      `SELECT grade, count(*)::int AS n FROM incidents
        WHERE kind = 'incident' AND state = ANY($1) AND created_at < $2 ${scoped(3)}
        GROUP BY grade ORDER BY grade`,
      params([OPEN_INCIDENT_STATES, window.to]),
    );
    const sections: DigestSection[] = [
      {
        title: { 'zh-CN': `新登记事件（${fresh.length}）`, en: `New incidents (${fresh.length})` },
        lines: [
          ...fresh.slice(0, MAX_LISTED).map((i) => {
            const g = gradeName(i.grade);
            return { 'zh-CN': `${i.key} [${g['zh-CN']}] ${i.title}`, en: `${i.key} [${g.en}] ${i.title}` };
          }),
          ...(fresh.length > MAX_LISTED ? [{ 'zh-CN': `另有 ${fresh.length - MAX_LISTED} 起`, en: `and ${fresh.length - MAX_LISTED} more` }] : []),
        ],
      },
      {
        title: { 'zh-CN': '未关闭事件', en: 'Open incidents' },
        lines: open.map((o) => {
          const g = gradeName(o.grade);
          return { 'zh-CN': `${g['zh-CN']}：${o.n} 起`, en: `${g.en}: ${o.n}` };
        }),
      },
    ];
    if (recipient.role !== 'owner') {
      const clocks = await this.reporting.clocks(window.to);
      sections.push({
        title: { 'zh-CN': '运行中的报告时限', en: 'Running reporting clocks' },
        lines: clocks.map((c) => {
          const zh = BEIJING_ZH.format(c.dueAt);
          const en = BEIJING_EN.format(c.dueAt);
          return c.clock === 'initial_report'
            ? { 'zh-CN': `${c.incident.key} 初次报告截止 ${zh}`, en: `${c.incident.key} initial report due ${en}` }
            : { 'zh-CN': `${c.incident.key} 总结报告截止 ${zh}`, en: `${c.incident.key} closing summary due ${en}` };
        }),
      });
    }
    return sections;
  }
}
