import { Inject, Injectable } from '@nestjs/common';
import { createHash, randomUUID } from 'node:crypto';
import { access, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { AuditService } from '../audit/index.js';
import type { Caller } from '../shared/principal.js';
import { SETTINGS_TOKEN, type Settings } from '../config/index.js';
import { CONSEQUENCES, ruleErrors, type Consequence } from './errors.js';
import { RulePackService } from './rule-pack.service.js';
import { RuleSettingsRepository } from './rule-settings.repository.js';
import type { SigmaCorrelation, SigmaRule } from './sigma/index.js';
import { checkRuleFileIsolated, MAX_RULE_FILE_BYTES, type RuleFileCheckRequest, type RuleFileVerdict } from './rule-file-check.js';

async function exists(file: string): Promise<boolean> {
  return access(file).then(
    () => true,
    () => false,
  );
}

/**
 * Rule files from the API: checked in isolation, uploaded into `uploaded/` in the rules folder and
 * deleted from there, one change at a time (each checks ids against the running rules).
 */
@Injectable()
export class RuleFiles {
  private changes: Promise<unknown> = Promise.resolve();
  private readonly ruleSettings = new RuleSettingsRepository();

  constructor(
    @Inject(SETTINGS_TOKEN) private readonly settings: Settings,
    private readonly rules: RulePackService,
    private readonly audit: AuditService,
  ) {}

  /** `POST /api/rules/validate`: the Sigma rules of a file, checked off the event loop; nothing is saved. */
  async validate(yamlText: string): Promise<{ valid: boolean; rules: number; correlations: number; errors: string[] }> {
    const verdict = await this.check(yamlText, 'syntax', CONSEQUENCES.checked);
    return { valid: verdict.errors.length === 0, rules: verdict.rules, correlations: verdict.correlations, errors: verdict.errors };
  }

  /**
   * Saves an uploaded rule file under `uploaded/` in the rules folder once it validates against the
   * same mapping and placeholders as the running rules, then reloads. All or nothing: the file is
   * moved into place inside the transaction that writes its audit record, and taken back out if
   * that transaction fails or the rules do not load.
   */
  upload(yamlText: string, caller: Caller): Promise<{ file: string; rules: number; correlations: number; dormant: RuleFileVerdict['dormant'] }> {
    return this.oneChange(async () => {
      const verdict = await this.accepted(yamlText, CONSEQUENCES.saved);
      const known = new Set(this.rules.status().rules.map((r) => r.id));
      const clash = verdict.ids.find((id) => known.has(id));
      if (clash) throw ruleErrors.already_loaded({ id: clash });
      const sha256 = createHash('sha256').update(yamlText).digest('hex');
      const first = verdict.ids[0] ?? sha256.slice(0, 16);
      const target = path.join(this.uploadedDir(), `${first.replace(/[^\w.-]/g, '_')}.yml`);
      if (await exists(target)) throw ruleErrors.upload_name_taken({ file: path.basename(target) });
      await mkdir(path.dirname(target), { recursive: true });
      // Not *.yml: a reload in between does not see the file before it is audited.
      const partial = path.join(path.dirname(target), `.${randomUUID()}.partial`);
      await writeFile(partial, yamlText);
      let moved = false;
      try {
        await this.audit.change(async () => {
          await rename(partial, target);
          moved = true;
          return { result: undefined, record: { ...caller, action: 'rule.upload', targetType: 'rule', targetId: first, after: { file: target, sha256, ids: verdict.ids } } };
        });
      } catch (error) {
        await rm(moved ? target : partial, { force: true });
        throw error;
      }
      const { errors } = await this.rules.reload();
      if (this.documentsOf(target).length !== verdict.rules + verdict.correlations) {
        await rm(target, { force: true });
        await this.rules.reload();
        await this.audit.record({ ...caller, action: 'rule.upload', targetType: 'rule', targetId: first, outcome: 'failure', before: { file: target, sha256, ids: verdict.ids } });
        throw ruleErrors.upload_not_loaded({}, errors);
      }
      return { file: path.relative(process.cwd(), target), rules: verdict.rules, correlations: verdict.correlations, dormant: verdict.dormant };
    });
  }

  /**
   * Deletes an uploaded rule: the file it came from (with every rule in that file, all named in the
   * answer and the audit record) leaves the disk and the running engine. Rules shipped in the rules
   * folder are not deleted through the API, nor a rule that a correlation in another file uses.
   */
  deleteUploaded(id: string, caller: Caller): Promise<{ file: string; removed: string[] }> {
    return this.oneChange(async () => {
      const engine = this.rules.engine;
      const row = this.rules.status().rules.find((r) => r.id === id);
      if (!engine || !row) throw ruleErrors.not_found({ id });
      const file = path.resolve(row.file);
      if (!file.startsWith(this.uploadedDir() + path.sep)) {
        throw ruleErrors.not_uploaded({ id, file: row.file });
      }
      const inFile = this.documentsOf(file);
      const removed = inFile.map((d) => d.id ?? d.name ?? d.title);
      const refs = new Set(inFile.flatMap((d) => [d.id, d.name].filter((x): x is string => !!x).map((x) => x.toLowerCase())));
      const users = engine.pack.correlations.filter((c) => path.resolve(c.file) !== file && c.rules.some((r) => refs.has(r.ref.toLowerCase())));
      if (users.length) {
        throw ruleErrors.used_by_correlations({ correlations: users.map((c) => c.id ?? c.name ?? c.title) });
      }
      const content = await readFile(file);
      let deleted = false;
      try {
        await this.audit.change(async (m) => {
          await this.ruleSettings.forget(m, removed);
          await rm(file);
          deleted = true;
          return { result: undefined, record: { ...caller, action: 'rule.delete', targetType: 'rule', targetId: id, before: { file, sha256: createHash('sha256').update(content).digest('hex'), ids: removed } } };
        });
      } catch (error) {
        if (deleted) await writeFile(file, content);
        throw error;
      }
      await this.rules.reload();
      return { file: path.relative(process.cwd(), file), removed };
    });
  }

  /** A rule file that loads against the running mapping and placeholders; any problem is a 400 listing every one. */
  async accepted(yamlText: string, consequence: Consequence): Promise<RuleFileVerdict> {
    const verdict = await this.check(yamlText, 'pack', consequence);
    const n = verdict.errors.length;
    if (n) throw ruleErrors.file_invalid({ count: n, consequence }, verdict.errors);
    if (!verdict.rules && !verdict.correlations && !verdict.dormant.length) throw ruleErrors.file_empty();
    return verdict;
  }

  /**
   * A rule file from the API, checked in a worker thread with a size, time and memory limit:
   * too large is 413, past a processing limit (an alias bomb, say) 422.
   */
  private async check(yamlText: string, mode: RuleFileCheckRequest['mode'], consequence: Consequence): Promise<RuleFileVerdict> {
    const bytes = Buffer.byteLength(yamlText);
    if (bytes > MAX_RULE_FILE_BYTES) {
      throw ruleErrors.file_too_large({ bytes, limit: MAX_RULE_FILE_BYTES });
    }
    const verdict = await checkRuleFileIsolated({ text: yamlText, fileName: 'uploaded.yml', mode, logsources: this.settings.TAISHI_LOGSOURCES, placeholders: this.settings.TAISHI_RULE_PLACEHOLDERS });
    if (verdict.limit) {
      throw ruleErrors.file_over_limit({ consequence, limit: verdict.limit }, verdict.errors);
    }
    return verdict;
  }

  /** The running rules and correlations that came from one file. */
  private documentsOf(file: string): (SigmaRule | SigmaCorrelation)[] {
    const pack = this.rules.engine?.pack;
    return pack ? [...pack.rules.map((r) => r.rule), ...pack.correlations].filter((d) => path.resolve(d.file) === file) : [];
  }

  private uploadedDir(): string {
    return path.join(path.resolve(this.settings.TAISHI_RULES_DIR), 'uploaded');
  }

  private oneChange<T>(change: () => Promise<T>): Promise<T> {
    const next = this.changes.then(change, change);
    this.changes = next.catch(() => undefined);
    return next;
  }
}
