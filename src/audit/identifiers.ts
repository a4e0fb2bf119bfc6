import { ValidateBy, type ValidationOptions } from 'class-validator';

/**
 * C0 and C1 controls (escape sequences, newlines, NUL), line and paragraph separators, and the
 * bidirectional marks and overrides that make text read differently from what it is. Names that
 * end up in the audit trail, logs and reports must show what they are.
 */
const CONTROL_CHARACTERS = /[\p{Cc}\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]/u;

export function hasControlCharacters(text: string): boolean {
  return CONTROL_CHARACTERS.test(text);
}

/** Refuses identifiers (user names, asset names, departments) that carry control characters. */
export function NoControlCharacters(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'noControlCharacters',
      validator: {
        validate: (value: unknown) => typeof value !== 'string' || !hasControlCharacters(value),
        defaultMessage: () => '不得含控制字符 / must not contain control characters',
      },
    },
    options,
  );
}
