import { Injectable, type OnModuleInit } from '@nestjs/common';
import { NotificationsService, type DigestRecipient, type DigestSection, type DigestSource } from '../notifications/index.js';
import { gradeName } from './core/grading.js';
import { IncidentsRepository } from './incidents.repository.js';
import { ReportingService } from './reporting.service.js';

const MAX_LISTED = 10;
const BEIJING_ZH = new Intl.DateTimeFormat('zh-CN', { timeZone: 'Asia/Shanghai', dateStyle: 'short', timeStyle: 'short' });
const BEIJING_EN = new Intl.DateTimeFormat('en-GB', { timeZone: 'Asia/Shanghai', dateStyle: 'medium', timeStyle: 'short' });

/** The incidents part of the daily digest: what came in, what is still open, which clocks run. */
@Injectable()
export class IncidentDigest implements DigestSource, OnModuleInit {
  readonly name = 'incidents';

  constructor(
    private readonly repo: IncidentsRepository,
    private readonly notifications: NotificationsService,
    private readonly reporting: ReportingService,
  ) {}

  onModuleInit(): void {
    this.notifications.registerDigestSource(this);
  }

  async sections(recipient: DigestRecipient, window: { from: Date; to: Date }): Promise<DigestSection[]> {
    const scope = recipient.role === 'owner' ? (recipient.department ?? '') : undefined;
    const { fresh, open } = await this.repo.digest(window, scope);
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
