import type { AuditEntry, AuditService } from '../audit/index.js';
import { changeIfAny } from './audited-change.js';

/** `change` as the audit service runs it: the work and its record commit together, or neither. */
function fakeAudit() {
  const ended: { committed: boolean; record?: AuditEntry }[] = [];
  const audit = {
    async change<T>(work: (tx: unknown) => Promise<{ result: T; record: AuditEntry }>): Promise<T> {
      try {
        const { result, record } = await work({ query: async () => [] });
        ended.push({ committed: true, record });
        return result;
      } catch (error) {
        ended.push({ committed: false });
        throw error;
      }
    },
  };
  return { audit: audit as unknown as AuditService, ended };
}

describe('changeIfAny', () => {
  const entry: AuditEntry = { actor: 'system', action: 'compliance.profile.create' };

  it('commits the work with its record when there is one', async () => {
    const { audit, ended } = fakeAudit();
    expect(await changeIfAny(audit, async () => ({ result: 'made', record: entry }))).toBe('made');
    expect(ended).toEqual([{ committed: true, record: entry }]);
  });

  it('answers the result without a record when the work found nothing to do', async () => {
    const { audit, ended } = fakeAudit();
    expect(await changeIfAny(audit, async () => ({ result: null, record: null }))).toBeNull();
    expect(ended).toEqual([{ committed: false }]);
  });

  it('lets the work’s own errors through', async () => {
    const { audit } = fakeAudit();
    await expect(changeIfAny(audit, async () => Promise.reject(new Error('refused')))).rejects.toThrow('refused');
  });
});
