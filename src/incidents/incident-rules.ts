import { Inject, Injectable } from '@nestjs/common';
import path from 'node:path';
import { SETTINGS_TOKEN, type Settings } from '../config/index.js';
import { loadContacts, type RouteContact } from './core/contacts.js';
import { loadGradingTable, type GradingTable } from './core/grading.js';
import { loadPlaybooks, type Playbook } from './core/playbooks.js';
import { loadPolicy, type IncidentPolicy } from './policy.js';

/**
 * The rule files incident handling runs on, loaded once at start: a broken file stops the
 * service with every problem listed, rather than grading or timing incidents on half a table.
 */
@Injectable()
export class IncidentRules {
  readonly policy: IncidentPolicy;
  readonly grading: GradingTable;
  readonly playbooks: Playbook[];
  readonly contacts: RouteContact[];

  constructor(@Inject(SETTINGS_TOKEN) settings: Settings) {
    this.policy = loadPolicy(path.join(settings.TAISHI_INCIDENT_RULES_DIR, 'policy.yml'));
    this.grading = loadGradingTable(path.join(settings.TAISHI_INCIDENT_RULES_DIR, 'grading.yml'));
    this.playbooks = loadPlaybooks(settings.TAISHI_PLAYBOOKS_DIR);
    this.contacts = loadContacts(path.join(settings.TAISHI_INCIDENT_RULES_DIR, 'contacts.yml'));
  }
}
