import { api } from '../core/api.js';
import { h, replace } from '../core/dom.js';
import { formatNumber, t, tv } from '../core/i18n.js';
import { can } from '../core/session.js';
import { formatDateTime } from '../core/time.js';
import { button, card, emptyState, errorBox, errorText, field, loading, select, table, toast } from '../core/ui.js';
import { CHECK_STATUSES } from '../core/vocabulary.js';
import { checkBadge, reportLinks, resultsHref, WRITE, type RunView } from './compliance-common.js';
import type { PageContext } from './page.js';

interface Profile {
  id: string;
  name: string;
  description: string | null;
  schedule: string | null;
  isDefault: boolean;
}

/** How often a running audit's progress is read. */
const POLL_MS = 1000;

function counts(run: RunView): HTMLElement | string {
  if (!run.summary) return '—';
  return h('span', { class: 'inline-badges' }, ...CHECK_STATUSES.filter((s) => run.summary!.byStatus[s]).map((s) => h('span', null, checkBadge(s), ` ${formatNumber(run.summary!.byStatus[s])}`)));
}

/** A run's progress as a labelled bar that screen readers announce as it moves. */
function progress(run: RunView): HTMLElement {
  const { done, total } = run.progress;
  const label = total ? t('compliance.progress', { done, total, percent: Math.round((done / total) * 100) }) : t('compliance.starting');
  return h('div', { class: 'run-progress' }, h('progress', { max: total || 1, value: done, 'aria-label': t('compliance.progressOf', { profile: run.profileName }) }), h('span', { 'aria-live': 'polite' }, label));
}

/** What a finished run found, and where to go next. */
function outcome(run: RunView): HTMLElement {
  if (run.status === 'failed') return h('div', { class: 'notice notice-error', role: 'alert' }, t('compliance.runFailed', { error: run.error ?? '' }));
  const s = run.summary!;
  return h(
    'div',
    { class: 'notice notice-ok', role: 'status' },
    h('p', null, t('compliance.runDone', { results: s.results, controls: s.controls, assets: s.assets, fail: s.byStatus.fail, attest: s.byStatus.needs_attestation, opened: s.findings.opened + s.findings.reopened, resolved: s.findings.resolved })),
    h('p', { class: 'toolbar' }, h('a', { class: 'btn btn-primary', href: resultsHref(run.id) }, t('compliance.openResults')), reportLinks(run.id)),
  );
}

export async function render(ctx: PageContext, area: HTMLElement): Promise<void> {
  const list = h('div', null, loading());
  const live = h('div', { class: 'run-live' });
  let timer: number | undefined;
  ctx.onDispose(() => window.clearTimeout(timer));

  const loadRuns = async () => {
    try {
      const runs = await api<RunView[]>('GET', '/api/compliance/runs', { query: { limit: 50 } });
      replace(
        list,
        runs.length
          ? table(
              t('compliance.runs'),
              [
                { label: t('compliance.started'), cell: (r) => formatDateTime(r.startedAt) },
                { label: t('compliance.profile'), cell: (r) => r.profileName },
                { label: t('compliance.trigger'), cell: (r) => `${tv('trigger', r.trigger)} · ${r.requestedBy}` },
                { label: t('compliance.runStatus'), cell: (r) => (r.status === 'running' ? progress(r) : tv('runStatus', r.status)) },
                { label: t('compliance.finished'), cell: (r) => formatDateTime(r.finishedAt) },
                { label: t('compliance.resultCounts'), cell: counts },
                { label: t('common.actions'), cell: (r) => (r.status === 'completed' ? h('span', { class: 'row-actions' }, h('a', { href: resultsHref(r.id) }, t('compliance.openResults')), reportLinks(r.id)) : '—') },
              ],
              runs,
            )
          : emptyState(t('compliance.noRuns'), can(WRITE) ? t('compliance.noRunsNext') : t('compliance.noRunsRead')),
      );
    } catch (error) {
      replace(list, errorBox(error));
    }
  };

  /** Follows a run until it ends, then shows what it found and refreshes the list. */
  const follow = async (run: RunView) => {
    replace(live, card(t('compliance.running', { profile: run.profileName }), progress(run)));
    if (run.status === 'running') {
      timer = window.setTimeout(() => {
        api<RunView>('GET', `/api/compliance/runs/${run.id}`).then(follow, (error: unknown) => replace(live, errorBox(error)));
      }, POLL_MS);
      return;
    }
    replace(live, card(t('compliance.finishedRun', { profile: run.profileName }), outcome(run)));
    (live.querySelector('a, [role="alert"]') as HTMLElement | null)?.focus();
    await loadRuns();
  };

  let starter: HTMLElement | null = null;
  if (can(WRITE)) {
    const profiles = await api<Profile[]>('GET', '/api/compliance/profiles');
    const profile = select(
      profiles.map((p) => ({ value: p.id, label: p.name })),
      profiles.find((p) => p.isDefault)?.id,
      { name: 'profile' },
    );
    const describe = h('p', { class: 'hint', 'aria-live': 'polite' });
    const showProfile = () => {
      const p = profiles.find((x) => x.id === profile.value);
      replace(describe, p ? [p.description ?? '', ' ', p.schedule ? t('compliance.scheduled', { cron: p.schedule }) : t('compliance.onDemand')] : '');
    };
    profile.addEventListener('change', showProfile);
    showProfile();
    const start = button(
      t('compliance.start'),
      async () => {
        start.disabled = true;
        try {
          const run = await api<RunView>('POST', '/api/compliance/runs', { body: { profileId: profile.value } });
          toast(t('compliance.startedRun', { profile: run.profileName }));
          void loadRuns();
          await follow(run);
        } catch (error) {
          toast(errorText(error), 'error');
        } finally {
          start.disabled = false;
        }
      },
      { kind: 'primary' },
    );
    starter = card(
      t('compliance.startTitle'),
      h('p', { class: 'hint' }, t('compliance.startLead')),
      profiles.length ? h('div', { class: 'filters' }, field(t('compliance.profile'), profile), start) : emptyState(t('compliance.noProfiles'), t('compliance.noProfilesNext')),
      describe,
    );
  }
  await loadRuns();
  replace(area, h('div', { class: 'stack' }, starter, live, card(t('compliance.runs'), list)));
}
