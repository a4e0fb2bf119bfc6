import { fillTemplate, isLanguage, LANGUAGES, type Language, type Localised } from './localised.js';

/**
 * What went wrong, in terms the transport maps once: the HTTP filter turns a kind into a status,
 * the CLI into an exit code. Domain code never names an HTTP status.
 */
// `upstream_failed`: a server Taishi relies on (an SMTP relay, say) refused or failed the work.
export const ERROR_KINDS = ['invalid', 'unauthenticated', 'forbidden', 'not_found', 'conflict', 'locked', 'too_large', 'rate_limited', 'unavailable', 'unprocessable', 'unsupported_type', 'upstream_failed'] as const;
export type ErrorKind = (typeof ERROR_KINDS)[number];

/** Values for a message's placeholders; a value that is itself `Localised` is read in the message's language. */
export type ErrorParams = Readonly<Record<string, unknown>>;

/** One error a module can raise: its kind and its message in every language, with `{param}` placeholders. */
export interface ErrorDefinition {
  kind: ErrorKind;
  message: Localised;
}

/**
 * A failure the user can act on, with a stable code (`module.name`, e.g. `incident.not_found`)
 * and the parameters its message needs. Clients key on the code; people read the message in
 * their language.
 */
export class DomainError extends Error {
  constructor(
    readonly code: string,
    readonly definition: ErrorDefinition,
    readonly params: ErrorParams = {},
    /** Machine-readable extras for clients (e.g. the allowed next states), not for the message. */
    readonly details?: unknown,
  ) {
    super(fillTemplate(definition.message.en, paramsIn('en', params)));
    this.name = 'DomainError';
  }

  get kind(): ErrorKind {
    return this.definition.kind;
  }

  messageIn(language: Language): string {
    return fillTemplate(this.definition.message[language], paramsIn(language, this.params));
  }
}

function isLocalised(value: unknown): value is Localised {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const keys = Object.keys(value);
  return keys.length === LANGUAGES.length && keys.every((k) => isLanguage(k) && typeof (value as Record<string, unknown>)[k] === 'string');
}

function paramsIn(language: Language, params: ErrorParams): ErrorParams {
  return Object.fromEntries(Object.entries(params).map(([name, value]) => [name, isLocalised(value) ? value[language] : value]));
}

type Raise = (params?: ErrorParams, details?: unknown) => DomainError;

/** Every error code registered so far, so the catalogue can be listed and checked as a whole. */
const registry = new Map<string, ErrorDefinition>();

/**
 * A module's error catalogue: `const errors = defineErrors('incident', { not_found: {...} })`,
 * then `throw errors.not_found({ id })`. Codes are unique across the service.
 */
export function defineErrors<const T extends Record<string, ErrorDefinition>>(module: string, definitions: T): { [K in keyof T]: Raise } & { codes: { [K in keyof T]: string } } {
  const raisers: Record<string, Raise> = {};
  const codes: Record<string, string> = {};
  for (const [name, definition] of Object.entries(definitions)) {
    const code = `${module}.${name}`;
    if (registry.has(code) && registry.get(code) !== definition) throw new Error(`Error code ${code} is defined twice`);
    registry.set(code, definition);
    codes[name] = code;
    raisers[name] = (params = {}, details) => new DomainError(code, definition, params, details);
  }
  return Object.assign(raisers, { codes }) as { [K in keyof T]: Raise } & { codes: { [K in keyof T]: string } };
}

/** All codes defined by the modules loaded in this process. */
export function errorCatalogue(): ReadonlyMap<string, ErrorDefinition> {
  return registry;
}
