export {
  LANGUAGES,
  NOTIFICATION_KINDS,
  PREFERENCE_KINDS,
  type DigestRecipient,
  type DigestSection,
  type DigestSource,
  type Named,
  type IncidentRef,
  type Language,
  type Notification,
  type NotificationKind,
  type PreferenceKind,
  type Wording,
} from './notification.js';
export { NotificationsModule } from './notifications.module.js';
export { NotificationsService, type Preferences, type Recipients } from './notifications.service.js';
