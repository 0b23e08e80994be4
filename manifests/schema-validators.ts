/** Typed access to the generated Ajv validators (`npm run gen` writes `generated/validators.ts`). */
import * as generated from './generated/validators.js';
import type { DocumentKind } from './manifest-kinds.js';

/** An Ajv error object, with `parentSchema` and `data` (the validators are generated with `verbose`). */
export interface SchemaError {
  instancePath: string;
  schemaPath: string;
  keyword: string;
  params: Record<string, unknown>;
  message?: string;
  parentSchema?: Record<string, unknown>;
  data?: unknown;
}

export interface SchemaValidator {
  (data: unknown): boolean;
  errors?: SchemaError[] | null;
}

const validators = generated as unknown as Record<DocumentKind, SchemaValidator>;

/** Validates a document of a known kind; returns Ajv's errors (all of them, `allErrors`). */
export function schemaErrors(kind: DocumentKind, value: unknown): SchemaError[] {
  const validate = validators[kind];
  return validate(value) ? [] : [...(validate.errors ?? [])];
}
