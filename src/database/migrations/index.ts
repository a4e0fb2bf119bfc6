import { Foundation1764374400000 } from './1764374400000-foundation.js';
import { Events1764460800000 } from './1764460800000-events.js';
import { Alerts1764547200000 } from './1764547200000-alerts.js';
import { Classification1764633600000 } from './1764633600000-classification.js';
import { Incidents1764720000000 } from './1764720000000-incidents.js';
import { Notifications1764806400000 } from './1764806400000-notifications.js';
import { Console1764892800000 } from './1764892800000-console.js';
import { Compliance1764979200000 } from './1764979200000-compliance.js';
import { DomainOutbox1796425073586 } from './1796425073586-domain-outbox.js';
import { TrailAndClaims1796425365584 } from './1796425365584-trail-and-claims.js';
import { LoginLockouts1796429135106 } from './1796429135106-login-lockouts.js';
import { IntrusionIncidents1796430000000 } from './1796430000000-intrusion-incidents.js';
import { Departments1796440000000 } from './1796440000000-departments.js';
import { SeveralInstances1796500000000 } from './1796500000000-several-instances.js';
import { AssetExpectedInterval1796600000000 } from './1796600000000-asset-expected-interval.js';
import { CorrelationFeedBatches1796700000000 } from './1796700000000-correlation-feed-batches.js';

/** Every migration in order; the same list runs on the embedded database and on a server. */
export const MIGRATIONS = [
  Foundation1764374400000,
  Events1764460800000,
  Alerts1764547200000,
  Classification1764633600000,
  Incidents1764720000000,
  Notifications1764806400000,
  Console1764892800000,
  Compliance1764979200000,
  DomainOutbox1796425073586,
  TrailAndClaims1796425365584,
  LoginLockouts1796429135106,
  IntrusionIncidents1796430000000,
  Departments1796440000000,
  SeveralInstances1796500000000,
  AssetExpectedInterval1796600000000,
  CorrelationFeedBatches1796700000000,
];
