import { LANGUAGES, type IncidentRef, type Named, type Notification } from './notification.js';
import { beijingTime, escapeHtml, headerSafe, renderMail } from './templates.js';

// Senders name grades and categories; these are the names incident handling gives them.
const named = (id: string, zh: string, en: string): Named => ({ id, name: { 'zh-CN': zh, en } });
const grades = { relatively_major: named('relatively_major', '较大', 'Relatively major'), general: named('general', '一般', 'General'), major: named('major', '重大', 'Major') };
const incident: IncidentRef = { id: '6f1c0b1e-2f0a-4a51-9d4c-0c8e4f7f1a01', key: 'INC-2026-0001', title: '供水 SCADA 勒索软件', grade: grades.relatively_major, category: named('malware', '恶意程序事件', 'Malware'), state: 'new' };

const EVERY_KIND: Notification[] = [
  { kind: 'incident_created', incident },
  { kind: 'incident_assigned', incident, assignee: '张伟' },
  { kind: 'grade_changed', incident, from: grades.general, to: grades.major, reason: '影响扩大\n第二行' },
  { kind: 'task_assigned', incident, task: { title: { 'zh-CN': '隔离受感染主机', en: 'Isolate infected hosts' }, dueAt: '2026-03-01T06:05:00Z' } },
  { kind: 'reporting_deadline', incident, notice: '80%', deadlineAt: '2026-03-01T08:00:00Z', reportTo: { 'zh-CN': '所在地省级网信部门', en: 'the provincial cyberspace administration' } },
  { kind: 'sla_breach', incident, target: 'contain', dueAt: '2026-03-01T08:00:00Z' },
  { kind: 'incident_closed', incident, resolution: '已清除并恢复' },
];

describe('notification templates', () => {
  it.each(EVERY_KIND.flatMap((n) => LANGUAGES.map((language) => [n.kind, language, n] as const)))('%s renders in %s with subject, text and HTML', (_kind, language, n) => {
    const mail = renderMail(n, language);
    expect(mail.subject.startsWith(language === 'zh-CN' ? '【态势】' : '[Taishi] ')).toBe(true);
    expect(mail.subject).toContain('INC-2026-0001');
    expect(mail.text).toContain(language === 'zh-CN' ? '恶意程序事件' : 'Malware');
    expect(mail.text).toContain(language === 'zh-CN' ? '较大' : 'Relatively major');
    expect(mail.html).toMatch(new RegExp(`^<!DOCTYPE html><html lang="${language}">`));
    expect(mail.html).toContain('INC-2026-0001');
  });

  it('words each kind in the reader’s language', () => {
    expect(renderMail(EVERY_KIND[0], 'zh-CN').subject).toBe('【态势】新事件 INC-2026-0001（较大）：供水 SCADA 勒索软件');
    expect(renderMail(EVERY_KIND[0], 'en').subject).toBe('[Taishi] New incident INC-2026-0001 (Relatively major): 供水 SCADA 勒索软件');
    expect(renderMail(EVERY_KIND[2], 'zh-CN').subject).toBe('【态势】事件 INC-2026-0001 分级调整：一般 → 重大');
    expect(renderMail(EVERY_KIND[2], 'en').subject).toBe('[Taishi] Incident INC-2026-0001 regraded: General → Major');
    expect(renderMail(EVERY_KIND[3], 'en').text).toContain('Task: Isolate infected hosts');
    expect(renderMail(EVERY_KIND[3], 'zh-CN').text).toContain('任务：隔离受感染主机');
    expect(renderMail(EVERY_KIND[4], 'zh-CN').text).toContain('须向所在地省级网信部门报告的时限已用去 80%');
    expect(renderMail(EVERY_KIND[5], 'zh-CN').subject).toBe('【态势】事件 INC-2026-0001 超出遏制时限');
    expect(renderMail({ ...EVERY_KIND[0], incident: { ...incident, grade: named('unrated', '未定级', 'Unrated') } } as Notification, 'zh-CN').subject).toContain('未定级');
  });

  it('shows times in Beijing time', () => {
    expect(beijingTime(new Date('2026-03-01T18:30:00Z'))).toBe('2026-03-02 02:30');
    expect(renderMail(EVERY_KIND[3], 'zh-CN').text).toContain('完成时限：2026-03-01 14:05（北京时间）');
    expect(renderMail(EVERY_KIND[3], 'en').text).toContain('Due: 2026-03-01 14:05 (Beijing time)');
    expect(renderMail({ kind: 'task_assigned', incident, task: { title: 't', dueAt: null } }, 'en').text).toContain('Due: not set');
  });

  it('keeps CR, LF and other controls out of the subject', () => {
    const hostile = { ...incident, title: 'x\r\nBcc: evil@example.com\r\n\r\nbody', key: 'INC\n-1' };
    for (const language of LANGUAGES) {
      const { subject, text } = renderMail({ kind: 'incident_created', incident: hostile }, language);
      expect(subject).not.toMatch(/[\r\n\t\0]/);
      expect(subject).toContain('x Bcc: evil@example.com body');
      // The body is no header, but a title is still one line there.
      expect(text.split('\n').filter((l) => l.startsWith('Bcc:'))).toEqual([]);
    }
    expect(headerSafe('a\u202Eb\u200Bc\u2028d\x7Fe')).toBe('a b c d e');
  });

  it('bounds the subject however long the title', () => {
    const { subject } = renderMail({ kind: 'incident_created', incident: { ...incident, title: '长'.repeat(5000) } }, 'zh-CN');
    expect([...subject].length).toBeLessThanOrEqual(200);
    expect(subject.endsWith('…')).toBe(true);
    expect([...headerSafe('x'.repeat(300))].length).toBe(200);
  });

  it('escapes every value in HTML and links only to the configured site', () => {
    const hostile = { ...incident, key: 'a"b/<c>', title: '<script>alert(1)</script> & "q" \'s', category: named('x', '<img src=x onerror=alert(1)>', '<img src=x onerror=alert(1)>') };
    const { html, text } = renderMail({ kind: 'incident_closed', incident: hostile, resolution: '<b>done</b>\nline 2' }, 'en', { publicUrl: 'https://taishi.example.cn/' });
    expect(html).not.toMatch(/<script|<img|<b>/);
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;q&quot; &#39;s');
    expect(html).toContain('&lt;b&gt;done&lt;/b&gt;<br>line 2');
    expect(html).toContain('<a href="https://taishi.example.cn/#/incidents?id=a%22b%2F%3Cc%3E">Open in Taishi</a>');
    expect(text).toContain('Open in Taishi: https://taishi.example.cn/#/incidents?id=a%22b%2F%3Cc%3E');
    expect(renderMail({ kind: 'incident_created', incident }, 'en').html).not.toContain('<a ');
    expect(escapeHtml(`<>&"'`)).toBe('&lt;&gt;&amp;&quot;&#39;');
  });

  it('renders digest sections in the reader’s language and leaves empty ones out', () => {
    const sections = [
      { title: { 'zh-CN': '未关闭事件', en: 'Open incidents' }, lines: [{ 'zh-CN': '较大 2 起', en: '2 relatively major' }, { 'zh-CN': '<一般> 5 起', en: '5 <general>' }] },
      { title: { 'zh-CN': '空', en: 'Empty' }, lines: [] },
    ];
    const zh = renderMail({ kind: 'digest', date: '2026-03-01', sections }, 'zh-CN');
    expect(zh.subject).toBe('【态势】每日摘要 2026-03-01');
    expect(zh.text).toContain('未关闭事件\n- 较大 2 起\n- <一般> 5 起');
    expect(zh.html).toContain('<li>&lt;一般&gt; 5 起</li>');
    expect(zh.text).not.toContain('空');
    expect(renderMail({ kind: 'digest', date: '2026-03-01', sections }, 'en').text).toContain('Open incidents\n- 2 relatively major');
  });

  it('drops terminal escapes and bidi overrides from body text', () => {
    const { text } = renderMail({ kind: 'grade_changed', incident, from: grades.general, to: grades.major, reason: 'a\x1b[31mred\u202Eb\r\nc' }, 'en');
    expect(text).toContain('a[31mredb\nc');
  });
});
