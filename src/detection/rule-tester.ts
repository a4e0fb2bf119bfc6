import { Inject, Injectable } from '@nestjs/common';
import { SETTINGS_TOKEN, type Settings } from '../config/index.js';
import { IngestService } from '../ingest/index.js';
import { Clock } from '../shared/index.js';
import { DetectionEngine } from './detection-engine.js';
import { CONSEQUENCES, ruleErrors } from './errors.js';
import { loadRuleText } from './rule-file-check.js';
import { RuleFiles } from './rule-files.js';
import { RulePackService } from './rule-pack.service.js';

const MAX_TEST_EVENTS = 2000;

export interface RuleTestResult {
  rules: { id: string; title: string; level: string; kind: string }[];
  events: { index: number; timestamp: string; dataset: string; action: string; message: string | null; matchedBy: string[] }[];
  firings: { ruleId: string; title: string; level: string; kind: string; groupKey: string; eventIndex: number | null; at: string }[];
}

/** Pasted events: a JSON array, or one event (JSON object or log line) per line. */
function testLines(text: string): string[] {
  const trimmed = text.trim();
  if (trimmed.startsWith('[')) {
    try {
      const items = JSON.parse(trimmed) as unknown;
      if (Array.isArray(items)) return items.map((item) => (typeof item === 'string' ? item : JSON.stringify(item)));
    } catch {
      // not a JSON array: read line by line
    }
  }
  return text.split(/\r?\n/).map((l) => l.trim()).filter(Boolean);
}

/** `POST /api/rules/test`: a rule tried on pasted events before it is trusted with live ones. */
@Injectable()
export class RuleTester {
  constructor(
    @Inject(SETTINGS_TOKEN) private readonly settings: Settings,
    private readonly rules: RulePackService,
    private readonly files: RuleFiles,
    private readonly ingest: IngestService,
    private readonly clock: Clock,
  ) {}

  /**
   * Runs one loaded rule (by id, enabled or not) or a pasted rule file over pasted events, through
   * the live pipeline's parsing and masking, on a fresh engine: nothing is stored, no alert is raised,
   * the running rules' counters and correlation windows are untouched.
   */
  async testRule(input: { ruleId?: string; yaml?: string; events: string }): Promise<RuleTestResult> {
    if ((input.ruleId === undefined) === (input.yaml === undefined)) throw ruleErrors.test_one_source();
    let engine: DetectionEngine;
    if (input.yaml !== undefined) engine = await this.candidateEngine(input.yaml);
    else {
      const running = this.rules.engine;
      const row = running?.ruleStats().find((r) => r.id === input.ruleId);
      if (!running || !row) throw ruleErrors.not_found({ id: input.ruleId });
      if (row.reason) throw ruleErrors.dormant({ reason: row.reason.text });
      engine = new DetectionEngine(running.pack, running.mapping);
    }
    const lines = testLines(input.events);
    if (lines.length > MAX_TEST_EVENTS) throw ruleErrors.too_many_test_events({ max: MAX_TEST_EVENTS, count: lines.length });
    const records = lines.map((line) => {
      if (line.startsWith('{')) {
        try {
          return { json: JSON.parse(line) as unknown, original: line };
        } catch {
          // not JSON after all: parsed as a log line below
        }
      }
      return { text: line };
    });
    const events = await this.ingest.preview(records, { source: 'rule-test', transport: 'http', receivedAt: this.clock.now(), timeZone: this.settings.TAISHI_TIME_ZONE });
    const wanted = (id: string) => input.ruleId === undefined || id === input.ruleId;
    // Rule matches first (they change nothing), then the firings, correlations included.
    const matchedBy = events.map((e) => new Set(engine.matchingRules(e).filter(wanted)));
    const index = new Map(events.map((e, i) => [e.event.id, i]));
    const lastTime = Math.max(0, ...events.map((e) => Date.parse(e['@timestamp']) || 0));
    // Windows still open after the last event are judged as if time had moved on, as `taishi hunt` does.
    const firings = [...engine.evaluate(events), ...engine.advance(new Date(lastTime + 366 * 86_400_000))].filter((f) => wanted(f.ruleId));
    for (const f of firings) {
      const i = index.get(f.event.event.id);
      if (i !== undefined) matchedBy[i].add(f.ruleId);
    }
    return {
      rules: engine.ruleStats().map((r) => ({ id: r.id, title: r.title, level: r.level, kind: r.kind })).filter((r) => input.ruleId === undefined || r.id === input.ruleId),
      events: events.map((e, i) => ({
        index: i,
        timestamp: e['@timestamp'],
        dataset: e.event.dataset,
        action: e.event.action,
        message: e.message ?? null,
        matchedBy: [...matchedBy[i]],
      })),
      firings: firings.map((f) => ({ ruleId: f.ruleId, title: f.title, level: f.level, kind: f.kind, groupKey: f.groupKey, eventIndex: index.get(f.event.event.id) ?? null, at: f.at.toISOString() })),
    };
  }

  /** A rule file accepted by the isolated check, compiled here (a bounded amount of work once accepted). */
  private async candidateEngine(yamlText: string): Promise<DetectionEngine> {
    await this.files.accepted(yamlText, CONSEQUENCES.tested);
    return loadRuleText(yamlText, 'uploaded.yml', { logsources: this.settings.TAISHI_LOGSOURCES, placeholders: this.settings.TAISHI_RULE_PLACEHOLDERS }).engine;
  }
}
