import { Injectable, type OnModuleInit } from '@nestjs/common';
import { IngestService } from '../ingest/index.js';
import type { SituationContribution, SituationScope } from './provider.js';
import { SituationService } from './situation.service.js';

/** A program is a blind spot with at least this many lines in the window and at most this share read. */
const BLIND_MIN_LINES = 100;
const BLIND_MAX_SHARE = 0.5;
const LISTED = 10;

/**
 * The recognition section of the situation view: sending programs whose logs Taishi mostly
 * cannot read, each costing a point of posture (at most 10), as unregistered hosts do. Service
 * internals, so only for roles that see every department.
 */
@Injectable()
export class RecognitionSituationSection implements OnModuleInit {
  constructor(
    private readonly situation: SituationService,
    private readonly ingest: IngestService,
  ) {}

  onModuleInit(): void {
    this.situation.register({ key: 'recognition', contribute: (scope) => Promise.resolve(this.contribute(scope)) });
  }

  contribute(scope: SituationScope): SituationContribution | null {
    if (scope.department !== undefined) return null;
    const { windowHours, programs } = this.ingest.recognitionReport();
    const blind = programs.filter((p) => p.lines >= BLIND_MIN_LINES && p.share <= BLIND_MAX_SHARE).sort((a, b) => a.share - b.share || b.lines - a.lines);
    return {
      data: { windowHours, programs: programs.filter((p) => p.lines > 0).length, blind: blind.slice(0, LISTED).map(({ source, program, lines, share }) => ({ source, program, lines, share })) },
      reasons: blind.length ? [{ code: 'unreadable_programs', points: Math.min(10, blind.length), params: { count: blind.length } }] : [],
    };
  }
}
