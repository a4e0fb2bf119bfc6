import { readdir } from 'node:fs/promises';
import { checkRuleFileIsolated } from '../../src/detection/rule-file-check.js';
import { parseSigmaDocuments, SigmaLimitError } from '../../src/detection/sigma/index.js';
import { startRulesService, watchLiveness, type RulesService } from './rules-service.js';

/**
 * Hardening item 2: a 553-byte rule of nested YAML aliases sent to POST /api/rules/validate froze
 * the service for 73 s at 1.6 GB. Each level names the one before nine times, so the file stands
 * for 9^levels values.
 */
function aliasBomb(levels: number): string {
  const lines = ['title: Alias bomb', 'logsource: { product: linux }', `l0: &l0 [${Array(9).fill('lol').join(', ')}]`];
  for (let i = 1; i < levels; i++) lines.push(`l${i}: &l${i} [${Array(9).fill(`*l${i - 1}`).join(', ')}]`);
  lines.push('detection:', '  sel: { message: x }', '  condition: sel');
  return lines.join('\n') + '\n';
}

describe('YAML alias bombs in rule files', () => {
  it('are refused by the parser within the alias budget, at the alias that exceeds it', () => {
    const started = performance.now();
    // 9^7 ≈ 4.8 million values: the old parser expanded every one of them.
    const { rules, errors } = parseSigmaDocuments(aliasBomb(7), 'bomb.yml');
    expect(performance.now() - started).toBeLessThan(500);
    expect(rules).toEqual([]);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toBeInstanceOf(SigmaLimitError);
    expect(String(errors[0])).toMatch(/^bomb\.yml:\d+:\d+: YAML aliases expand to more than 10000 nodes/);
  });

  it('still expands the few aliases a real rule may use', () => {
    const text = ['title: Shared list', 'logsource: { product: linux }', 'x-users: &admins [root, admin]', 'detection:', '  sel: { user.name: *admins }', '  condition: sel'].join('\n');
    const { rules, errors } = parseSigmaDocuments(text, 'ok.yml');
    expect(errors).toEqual([]);
    expect(rules[0].custom['x-users']).toEqual(['root', 'admin']);
  });

  it('are checked in a worker whose time and memory limits end a check that overruns them', async () => {
    const text = ['title: Plain', 'logsource: { product: linux }', 'detection:', '  sel: { message: x }', '  condition: sel'].join('\n');
    const fine = await checkRuleFileIsolated({ text, fileName: 'plain.yml', mode: 'syntax' });
    expect(fine).toMatchObject({ errors: [], rules: 1 });
    const slow = await checkRuleFileIsolated({ text, fileName: 'plain.yml', mode: 'syntax' }, { timeoutMs: 1, heapMb: 128 });
    expect(slow.limit).toMatch(/took longer than 1 ms/);
    // A heap too small for the check: the worker is stopped and the answer names the limit.
    const hungry = await checkRuleFileIsolated({ text, fileName: 'plain.yml', mode: 'syntax' }, { timeoutMs: 30_000, heapMb: 2 });
    expect(hungry.limit).toMatch(/more than 2 MB of memory/);
  });

  describe('sent to the running service', () => {
    let service: RulesService;
    beforeAll(async () => {
      service = await startRulesService();
    }, 120_000);
    afterAll(() => service?.stop());

    it('get 422 from validate and upload while /health/live keeps answering within 1 s, and nothing is saved', async () => {
      const bomb = aliasBomb(9);
      expect(Buffer.byteLength(bomb)).toBeLessThan(600);
      const liveness = watchLiveness(service.baseUrl);
      const validate = await service.api('POST', '/api/rules/validate', bomb);
      const upload = await service.api('POST', '/api/rules', bomb);
      const { slowestMs, probes } = await liveness.stop();
      expect(validate.status).toBe(422);
      expect(validate.body.code).toBe('rule.file_over_limit');
      expect(validate.body.message).toMatch(/^规则文件超出处理限制，未作检查：uploaded\.yml:\d+:\d+: YAML aliases expand to more than 10000 nodes/);
      expect(upload.status).toBe(422);
      expect(upload.body.message).toMatch(/未保存任何内容/);
      expect(probes).toBeGreaterThan(0);
      expect(slowestMs).toBeLessThan(1000);
      expect(await readdir(service.rulesDir)).not.toContain('uploaded');
      const audit = (await service.api('GET', '/api/audit?targetType=rule')).body as { action: string }[];
      expect(audit.filter((r) => r.action === 'rule.upload')).toEqual([]);
    }, 60_000);

    it('refuse a rule file larger than 1 MiB with 413 before parsing it', async () => {
      const big = 'title: big\n' + `description: '${'x'.repeat(1024 * 1024)}'\n`;
      const r = await service.api('POST', '/api/rules/validate', big);
      expect(r.status).toBe(413);
      expect(r.body).toMatchObject({ code: 'rule.file_too_large', params: { limit: 1048576 } });
      expect(r.body.message).toMatch(/^规则文件 \d+ 字节，超过 1048576 字节上限$/);
    });
  });
});
