import type { DigestSection, IncidentRef, Language, Named, Notification, Wording } from './notification.js';

/**
 * Every notification mail in zh-CN and English. The wording lives in one table per language; one
 * renderer turns a composed mail into subject, plain text and HTML, so the languages cannot drift
 * apart in structure. Everything that came from event data is treated as hostile: control
 * characters never reach a header, and HTML gets only escaped text.
 */

export type MailContent = Notification | { kind: 'digest'; date: string; sections: DigestSection[] } | { kind: 'test'; sentBy: string; at: string };

export interface RenderedMail {
  subject: string;
  text: string;
  html: string;
}

const SUBJECT_MAX = 200;
const TITLE_IN_SUBJECT_MAX = 80;
const LINE_MAX = 500;
const BLOCK_MAX = 4000;

type Target = 'assess' | 'acknowledge' | 'contain' | 'recover';
type Notice = '50%' | '80%' | 'overdue';

interface Phrases {
  prefix: string;
  colon: string;
  time(t: string): string;
  notSet: string;
  label: Record<'key' | 'title' | 'grade' | 'category' | 'assignee' | 'reason' | 'task' | 'due' | 'deadline' | 'reportTo' | 'resolution' | 'sentBy' | 'at', string>;
  open: string;
  footer: string;
  target: Record<Target, string>;
  created: { subject(key: string, grade: string, title: string): string; lead: string };
  assigned: { subject(key: string, who: string, title: string): string; lead(who: string): string };
  graded: { subject(key: string, from: string, to: string): string; lead(from: string, to: string): string };
  task: { subject(key: string, task: string): string; lead: string };
  deadline: { subject: Record<Notice, (key: string) => string>; lead: Record<Notice, (to: string) => string> };
  breach: { subject(key: string, target: string): string; lead(target: string): string };
  closed: { subject(key: string, title: string): string; lead: string };
  digest: { subject(date: string): string; lead: string };
  test: { subject: string; lead: string };
}

const PHRASES: Record<Language, Phrases> = {
  'zh-CN': {
    prefix: '【态势】',
    colon: '：',
    time: (t) => `${t}（北京时间）`,
    notSet: '未设定',
    label: {
      key: '编号',
      title: '标题',
      grade: '分级',
      category: '类别',
      assignee: '负责人',
      reason: '原因',
      task: '任务',
      due: '完成时限',
      deadline: '报告时限',
      reportTo: '报告对象',
      resolution: '处置结论',
      sentBy: '发起人',
      at: '时间',
    },
    open: '在态势中打开',
    footer: '此邮件由态势自动发送。可在「通知设置」中选择接收哪些通知。',
    target: { assess: '研判', acknowledge: '确认', contain: '遏制', recover: '恢复' },
    created: { subject: (key, grade, title) => `新事件 ${key}（${grade}）：${title}`, lead: '新的安全事件已登记，请值班分析员尽快确认。' },
    assigned: { subject: (key, who, title) => `事件 ${key} 已分派给 ${who}：${title}`, lead: (who) => `事件已分派给 ${who}，请跟进处置。` },
    graded: { subject: (key, from, to) => `事件 ${key} 分级调整：${from} → ${to}`, lead: (from, to) => `事件分级由「${from}」调整为「${to}」。` },
    task: { subject: (key, task) => `事件 ${key} 新任务：${task}`, lead: '您有一项新的处置任务。' },
    deadline: {
      subject: { '50%': (key) => `事件 ${key} 报告时限已过半`, '80%': (key) => `事件 ${key} 报告时限将至（已用 80%）`, overdue: (key) => `事件 ${key} 报告已超期` },
      lead: {
        '50%': (to) => `须向${to}报告的时限已过一半，请尽快完成初报。`,
        '80%': (to) => `须向${to}报告的时限已用去 80%，请立即完成初报。`,
        overdue: (to) => `须向${to}报告的时限已过，请立即报告并记录迟报原因。`,
      },
    },
    breach: { subject: (key, target) => `事件 ${key} 超出${target}时限`, lead: (target) => `事件未在规定时限内完成${target}，特此升级通知。` },
    closed: { subject: (key, title) => `事件 ${key} 已关闭：${title}`, lead: '事件处置已结束并关闭。' },
    digest: { subject: (date) => `每日摘要 ${date}`, lead: '过去 24 小时的情况如下。' },
    test: { subject: '测试邮件', lead: '这是一封测试邮件：态势的 SMTP 设置可以发出邮件。' },
  },
  en: {
    prefix: '[Taishi] ',
    colon: ': ',
    time: (t) => `${t} (Beijing time)`,
    notSet: 'not set',
    label: {
      key: 'Key',
      title: 'Title',
      grade: 'Grade',
      category: 'Category',
      assignee: 'Assignee',
      reason: 'Reason',
      task: 'Task',
      due: 'Due',
      deadline: 'Reporting deadline',
      reportTo: 'Report to',
      resolution: 'Resolution',
      sentBy: 'Sent by',
      at: 'Time',
    },
    open: 'Open in Taishi',
    footer: 'Sent automatically by Taishi. Choose which notifications you receive in your notification preferences.',
    target: { assess: 'assessment (研判)', acknowledge: 'acknowledgement', contain: 'containment', recover: 'recovery' },
    created: { subject: (key, grade, title) => `New incident ${key} (${grade}): ${title}`, lead: 'A new security incident was recorded; the analyst on duty should acknowledge it soon.' },
    assigned: { subject: (key, who, title) => `Incident ${key} assigned to ${who}: ${title}`, lead: (who) => `The incident is assigned to ${who}; please follow it up.` },
    graded: { subject: (key, from, to) => `Incident ${key} regraded: ${from} → ${to}`, lead: (from, to) => `The incident grade changed from "${from}" to "${to}".` },
    task: { subject: (key, task) => `Incident ${key} new task: ${task}`, lead: 'You have a new response task.' },
    deadline: {
      subject: {
        '50%': (key) => `Incident ${key}: half the reporting window has passed`,
        '80%': (key) => `Incident ${key}: reporting deadline near (80% used)`,
        overdue: (key) => `Incident ${key}: report overdue`,
      },
      lead: {
        '50%': (to) => `Half the time to report to ${to} has passed; please complete the initial report soon.`,
        '80%': (to) => `80% of the time to report to ${to} has passed; please complete the initial report now.`,
        overdue: (to) => `The deadline to report to ${to} has passed; report now and record why it is late.`,
      },
    },
    breach: { subject: (key, target) => `Incident ${key} missed its ${target} deadline`, lead: (target) => `The incident did not reach ${target} within its deadline; this is an escalation.` },
    closed: { subject: (key, title) => `Incident ${key} closed: ${title}`, lead: 'Handling of the incident has ended and it is closed.' },
    digest: { subject: (date) => `Daily digest ${date}`, lead: 'What happened in the last 24 hours.' },
    test: { subject: 'Test message', lead: "This is a test message: Taishi's SMTP settings can send mail." },
  },
};

// Control characters end header lines and bidi/zero-width format characters disguise text, so
// neither may pass into a header; line and paragraph separators count as line ends.
const NOT_IN_HEADER = /[\p{Cc}\p{Cf}\u2028\u2029]+/gu;
const NOT_IN_BODY = /[\0-\x08\x0b\x0c\x0e-\x1f\x7f\u202a-\u202e\u2066-\u2069]/g;

function bound(text: string, max: number): string {
  const chars = [...text];
  return chars.length <= max ? text : `${chars.slice(0, max - 1).join('')}…`;
}

/** One line fit for a mail header: no control or format characters, bounded length. */
export function headerSafe(value: string, max = SUBJECT_MAX): string {
  return bound(value.replace(NOT_IN_HEADER, ' ').replace(/\s+/g, ' ').trim(), max);
}

/** Multi-line text for a body: line breaks kept, other controls dropped, bounded length. */
function blockSafe(value: string, max = BLOCK_MAX): string {
  return bound(value.replace(/\r\n?/g, '\n').replace(NOT_IN_BODY, '').trim(), max);
}

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** China keeps no daylight saving, so Beijing time is UTC+8 all year. */
export function beijingTime(at: Date): string {
  return new Date(at.getTime() + 8 * 3_600_000).toISOString().slice(0, 16).replace('T', ' ');
}

const localise = (wording: Wording, language: Language) => (typeof wording === 'string' ? wording : wording[language]);

interface Composed {
  subject: string;
  lead: string;
  facts: [string, string][];
  note?: { label: string; text: string };
  sections?: { title: string; lines: string[] }[];
  link?: string;
}

function compose(content: MailContent, language: Language, publicUrl: string | undefined): Composed {
  const p = PHRASES[language];
  const line = (value: string) => headerSafe(value, LINE_MAX);
  const time = (iso: string | null) => {
    if (iso === null) return p.notSet;
    const at = new Date(iso);
    return Number.isNaN(at.getTime()) ? line(iso) : p.time(beijingTime(at));
  };
  if (content.kind === 'digest') {
    const sections = content.sections
      .map((s) => ({ title: line(s.title[language]), lines: s.lines.map((l) => line(l[language])) }))
      .filter((s) => s.lines.length > 0);
    return { subject: p.digest.subject(content.date), lead: p.digest.lead, facts: [], sections };
  }
  if (content.kind === 'test') {
    return { subject: p.test.subject, lead: p.test.lead, facts: [[p.label.sentBy, line(content.sentBy)], [p.label.at, time(content.at)]] };
  }

  const incident: IncidentRef = content.incident;
  const key = headerSafe(incident.key, 40);
  const title = headerSafe(incident.title, TITLE_IN_SUBJECT_MAX);
  const grade = (g: Named) => g.name[language];
  const facts: [string, string][] = [
    [p.label.key, line(incident.key)],
    [p.label.title, line(incident.title)],
    [p.label.grade, grade(incident.grade)],
    [p.label.category, line(incident.category.name[language])],
  ];
  // The console's own address for one incident (a hash route, so it works behind any path prefix).
  const link = publicUrl ? `${publicUrl.replace(/\/+$/, '')}/#/incidents?id=${encodeURIComponent(incident.key)}` : undefined;
  const mail = (subject: string, lead: string, extra: [string, string][] = [], note?: Composed['note']): Composed => ({ subject, lead, facts: [...facts, ...extra], note, link });

  switch (content.kind) {
    case 'incident_created':
      return mail(p.created.subject(key, grade(incident.grade), title), p.created.lead);
    case 'incident_assigned': {
      const who = headerSafe(content.assignee, 60);
      return mail(p.assigned.subject(key, who, title), p.assigned.lead(who), [[p.label.assignee, who]]);
    }
    case 'grade_changed':
      return mail(p.graded.subject(key, grade(content.from), grade(content.to)), p.graded.lead(grade(content.from), grade(content.to)), [], {
        label: p.label.reason,
        text: blockSafe(content.reason),
      });
    case 'task_assigned': {
      const task = localise(content.task.title, language);
      return mail(p.task.subject(key, headerSafe(task, TITLE_IN_SUBJECT_MAX)), p.task.lead, [
        [p.label.task, line(task)],
        [p.label.due, time(content.task.dueAt)],
      ]);
    }
    case 'reporting_deadline': {
      const to = line(localise(content.reportTo, language));
      return mail(p.deadline.subject[content.notice](key), p.deadline.lead[content.notice](to), [
        [p.label.deadline, time(content.deadlineAt)],
        [p.label.reportTo, to],
      ]);
    }
    case 'sla_breach':
      return mail(p.breach.subject(key, p.target[content.target]), p.breach.lead(p.target[content.target]), [[p.label.due, time(content.dueAt)]]);
    case 'incident_closed':
      return mail(p.closed.subject(key, title), p.closed.lead, [], { label: p.label.resolution, text: blockSafe(content.resolution) });
  }
}

/** Subject, plain text and HTML of one mail in one language. */
export function renderMail(content: MailContent, language: Language, options: { publicUrl?: string } = {}): RenderedMail {
  const p = PHRASES[language];
  const c = compose(content, language, options.publicUrl);
  const subject = headerSafe(p.prefix + c.subject);
  const heading = headerSafe(c.subject);

  const text = [
    heading,
    '',
    c.lead,
    ...(c.facts.length ? ['', ...c.facts.map(([label, value]) => `${label}${p.colon}${value}`)] : []),
    ...(c.note ? ['', `${c.note.label}${p.colon}`, c.note.text] : []),
    ...(c.sections ?? []).flatMap((s) => ['', s.title, ...s.lines.map((l) => `- ${l}`)]),
    ...(c.link ? ['', `${p.open}${p.colon}${c.link}`] : []),
    '',
    '-- ',
    p.footer,
    '',
  ].join('\n');

  const e = escapeHtml;
  const html = [
    `<!DOCTYPE html><html lang="${language}"><head><meta charset="utf-8"><title>${e(subject)}</title></head>`,
    '<body style="font-family:sans-serif;font-size:14px;color:#222;line-height:1.5">',
    `<h2 style="font-size:18px;margin:0 0 12px">${e(heading)}</h2>`,
    `<p>${e(c.lead)}</p>`,
    ...(c.facts.length
      ? [
          '<table style="border-collapse:collapse">',
          ...c.facts.map(([label, value]) => `<tr><th style="text-align:left;padding:2px 12px 2px 0;color:#555;font-weight:normal">${e(label)}</th><td style="padding:2px 0">${e(value)}</td></tr>`),
          '</table>',
        ]
      : []),
    ...(c.note ? [`<p><strong>${e(c.note.label)}</strong><br>${e(c.note.text).replace(/\n/g, '<br>')}</p>`] : []),
    ...(c.sections ?? []).flatMap((s) => [`<h3 style="font-size:15px;margin:16px 0 4px">${e(s.title)}</h3>`, '<ul>', ...s.lines.map((l) => `<li>${e(l)}</li>`), '</ul>']),
    ...(c.link ? [`<p><a href="${e(c.link)}">${e(p.open)}</a></p>`] : []),
    `<p style="color:#888;font-size:12px;margin-top:24px">${e(p.footer)}</p>`,
    '</body></html>',
  ].join('\n');

  return { subject, text, html };
}
