import { Controller, Get, HttpCode, HttpStatus, Post, Query, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { IsIn, IsOptional, Matches } from 'class-validator';
import type { Request } from 'express';
import { Access } from '../../common/index.js';
import type { RequestPrincipal } from '../../shared/principal.js';
import { CurrentPrincipal } from '../../auth/index.js';
import { ingestErrors } from '../errors.js';
import { IngestService } from '../ingest.service.js';
import { jsonRecords, textRecords, type LineError } from './http-body.js';
import { OverloadedError } from '../store/event-writer.js';
import { JournalUnwritableError } from '../store/journal.js';

class IngestQuery {
  /** Names the sending system within the key's scope, e.g. `portal-nginx`. */
  @IsOptional() @Matches(/^[\w.:@/-]{1,100}$/, { message: 'source must be 1-100 letters, digits or . _ : @ / -' }) source?: string;
  @IsOptional() @IsIn(['auto', 'json', 'windows', 'telemetry', 'syslog', 'nginx', 'apache', 'iptables', 'kv']) format?: 'auto' | 'json' | 'windows' | 'telemetry' | 'syslog' | 'nginx' | 'apache' | 'iptables' | 'kv';
}

@ApiTags('ingest')
@ApiBearerAuth()
@Controller('api/ingest')
export class HttpIngestController {
  constructor(private readonly ingest: IngestService) {}

  /**
   * NDJSON (one JSON event per line), a JSON array, or text/plain log lines; gzip or deflate
   * with Content-Encoding. 202 means every accepted event is durable: stored or spooled, or with
   * TAISHI_INGEST_ACK=journal, in the ingest journal as received.
   */
  @Post()
  @HttpCode(HttpStatus.ACCEPTED)
  @Access.scope('ingest', 'admin')
  async receive(@Req() req: Request, @Query() query: IngestQuery, @CurrentPrincipal() principal: RequestPrincipal) {
    const { answer, durable } = this.handOver(req, query, principal);
    try {
      await durable;
    } catch (error) {
      if (error instanceof OverloadedError) {
        throw ingestErrors.saturated({ retryAfterSeconds: error.retryAfterSeconds }, { retryAfterSeconds: error.retryAfterSeconds });
      }
      if (error instanceof JournalUnwritableError) {
        throw ingestErrors.journal_unwritable({ reason: error.reason, retryAfterSeconds: error.retryAfterSeconds }, { reason: error.reason, retryAfterSeconds: error.retryAfterSeconds });
      }
      throw error;
    }
    return answer;
  }

  /**
   * Parses the body and hands its records to the ingest service. Not async, so that no suspended
   * frame holds the parsed records while `receive` waits for them to be durable.
   */
  private handOver(req: Request, query: IngestQuery, principal: RequestPrincipal): { answer: { accepted: number; rejected: number; errors: LineError[] }; durable: Promise<void> } {
    if (!Buffer.isBuffer(req.body) || req.body.length === 0) throw ingestErrors.body_required();
    const plain = (req.headers['content-type'] ?? '').startsWith('text/plain');
    const { records, errors } = plain ? { records: textRecords(req.body), errors: [] } : jsonRecords(req.body);
    if (errors.length) this.ingest.noteRejected('http', errors.length);
    if (records.length === 0) throw ingestErrors.no_valid_events({ rejected: errors.length }, { accepted: 0, rejected: errors.length, errors });
    if (records.length > this.ingest.maxBatchEvents) {
      const limit = { maxEvents: this.ingest.maxBatchEvents, events: records.length };
      throw ingestErrors.batch_too_large(limit, limit);
    }
    const owner = principal.kind === 'api-key' ? principal.name : `user:${principal.username}`;
    const context = { source: query.source ? `${owner}/${query.source}` : owner, transport: 'http' as const, receivedAt: new Date(), format: query.format ?? (plain ? 'auto' : 'json') };
    const durable = this.ingest.ingest(records, context, 'http', { payload: { format: plain ? 'text' : 'json', bytes: req.body } });
    return { answer: { accepted: records.length, rejected: errors.length, errors }, durable };
  }

  /** Per source and sending program, the share of lines Taishi can read and the most frequent shapes of the others. */
  @Get('recognition')
  @Access.roles('admin', 'analyst', 'compliance')
  recognition() {
    return this.ingest.recognitionReport();
  }

  @Get('unregistered-hosts')
  @Access.roles('admin', 'analyst', 'compliance')
  unregistered() {
    return this.ingest.unregisteredHosts();
  }
}
