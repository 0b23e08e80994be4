/**
 * Ajv errors in words: an unknown field names the field and suggests the nearest known one; an enum lists the
 * allowed values; a missing field is named at its parent; a bad format quotes the schema's description.
 */
import { suggest } from './did-you-mean.js';
import { joinPointer, splitPointer, type ManifestErrorIssue } from './errors.js';
import { describe } from './identify.js';
import type { SchemaError } from './schema-validators.js';

/** Fields users put one level too high or too low, with the fix Chaos Mesh users need. */
const MISPLACED: readonly { field: RegExp; parent: RegExp; fix: string }[] = [
  {
    field: /^conditionalBranches$/,
    parent: /\/task$/,
    fix: 'conditionalBranches is a field of the template, next to task: move it one level up',
  },
  {
    field: /^(url|method|headers|body|criteria)$/,
    parent: /\/statusCheck$/,
    fix: 'the HTTP fields of a status check go under `http:`',
  },
];

/** An issue with the field an unknown field was probably meant to be. */
type Translated = ManifestErrorIssue & { suggestion?: string };

export function translateSchemaErrors(errors: readonly SchemaError[]): ManifestErrorIssue[] {
  const typeErrorPaths = new Set(errors.filter((e) => e.keyword === 'type').map((e) => e.instancePath));
  const seen = new Set<string>();
  const issues: Translated[] = [];
  for (const error of errors) {
    // A value of the wrong type also fails its enum; the type error says it better.
    if (error.keyword !== 'type' && typeErrorPaths.has(error.instancePath)) continue;
    const issue = translate(error);
    const key = `${issue.code} ${issue.pointer}`;
    if (seen.has(key)) continue;
    seen.add(key);
    issues.push(issue);
  }
  return dropMisspeltRequired(issues);
}

/**
 * `tempalteType: Serial` gives both "unknown field tempalteType, did you mean templateType?" and "missing
 * templateType"; the first says it all.
 */
function dropMisspeltRequired(issues: Translated[]): ManifestErrorIssue[] {
  const suggested = new Set(
    issues
      .filter((i) => i.code === 'SCHEMA_UNKNOWN_FIELD')
      .map((i) => i.pointer.replace(/[^/]*$/, '') + i.suggestion),
  );
  return issues
    .filter((i) => !(i.code === 'SCHEMA_REQUIRED' && suggested.has(i.pointer)))
    .map(({ suggestion: _, ...issue }) => issue);
}

function translate(error: SchemaError): Translated {
  const path = error.instancePath;
  const params = error.params;
  const field = describePath(path);
  switch (error.keyword) {
    case 'additionalProperties': {
      const name = String(params.additionalProperty);
      const known = Object.keys(propertiesOf(error.parentSchema));
      const misplaced = MISPLACED.find((m) => m.field.test(name) && m.parent.test(path));
      const hint = suggest(name, known);
      return {
        code: 'SCHEMA_UNKNOWN_FIELD',
        pointer: joinPointer(path, name),
        at: 'key',
        message: `unknown field "${name}"${field ? ` in ${field}` : ''}`,
        ...(hint === undefined ? {} : { suggestion: hint }),
        fix:
          misplaced?.fix ??
          (hint ? `did you mean "${hint}"?` : `remove it; the fields allowed here are ${known.join(', ')}`),
      };
    }
    case 'required': {
      const name = String(params.missingProperty);
      return {
        code: 'SCHEMA_REQUIRED',
        pointer: joinPointer(path, name),
        message: `missing required field "${name}"${field ? ` in ${field}` : ''}`,
        fix: requiredFix(error.parentSchema, name),
      };
    }
    case 'type':
      return typeIssue(path, String(params.type), error.data, error.parentSchema);
    case 'enum': {
      const allowed = (params.allowedValues as unknown[] | undefined) ?? [];
      const hint = typeof error.data === 'string' ? suggest(error.data, allowed.map(String)) : undefined;
      return {
        code: 'SCHEMA_ENUM',
        pointer: path,
        message: `${shown(error.data)} is not an allowed value${field ? ` of ${field}` : ''}`,
        fix: `${hint ? `did you mean ${hint}? ` : ''}use one of: ${allowed.map(String).join(', ')}`,
      };
    }
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum':
      return {
        code: 'SCHEMA_RANGE',
        pointer: path,
        message: `${String(error.data)} is out of range${field ? ` for ${field}` : ''}`,
        fix: `use a value ${String(params.comparison)} ${String(params.limit)}`,
      };
    case 'maxDuration':
    case 'maxRate': {
      const limit = String(params.limit);
      const what =
        error.keyword === 'maxDuration'
          ? 'is longer than a Go duration can be (an int64 of nanoseconds)'
          : 'is faster than a tc rate can be (2^64-1 bytes per second)';
      return {
        code: 'SCHEMA_RANGE',
        pointer: path,
        message: `${shown(error.data)}${field ? ` in ${field}` : ''} ${what}`,
        fix: `use at most ${limit}`,
      };
    }
    case 'pattern': {
      const schema = error.parentSchema ?? {};
      const title = typeof schema.title === 'string' ? ` (${schema.title})` : '';
      return {
        code: 'SCHEMA_PATTERN',
        pointer: path,
        message: `${shown(error.data)} is not in the expected format${title}`,
        fix:
          typeof schema.description === 'string'
            ? `expected ${lowerFirst(schema.description)}`
            : `it must match the pattern ${String(params.pattern)}`,
      };
    }
    case 'minItems':
    case 'maxItems':
    case 'minLength':
    case 'maxLength':
    case 'minProperties':
    case 'maxProperties': {
      const limit = String(params.limit);
      const unit = error.keyword.endsWith('Items')
        ? 'items'
        : error.keyword.endsWith('Length')
          ? 'characters'
          : 'fields';
      const bound = error.keyword.startsWith('min') ? 'at least' : 'at most';
      return {
        code: 'SCHEMA_SIZE',
        pointer: path,
        message: `${field || 'the value'} must have ${bound} ${limit} ${unit}`,
        fix:
          error.keyword === 'minItems'
            ? `add ${limit === '1' ? 'an item' : 'items'}`
            : `use ${bound} ${limit} ${unit}`,
      };
    }
    default:
      return {
        code: 'SCHEMA_INVALID',
        pointer: path,
        message: `${field || 'the document'} ${error.message ?? 'is invalid'}`,
        fix: 'see schemas/ for the allowed form',
      };
  }
}

function typeIssue(
  path: string,
  expected: string,
  data: unknown,
  schema: Record<string, unknown> | undefined,
): ManifestErrorIssue {
  const wanted = expected
    .split(',')
    .filter((t) => t !== 'null')
    .map((t) =>
      t === 'object' ? 'a mapping' : t === 'array' ? 'a list' : t === 'integer' ? 'an integer' : `a ${t}`,
    )
    .join(' or ');
  let fix = `write ${wanted} here`;
  const format = typeof schema?.pattern === 'string' ? schema.description : undefined;
  if (expected === 'string' && typeof format === 'string') {
    // Quoting alone would not do: the string has a format of its own (`id: 4242` wants "pid://4242").
    fix = `write ${lowerFirst(format)}`;
  } else if (expected === 'string' && (typeof data === 'number' || typeof data === 'boolean')) {
    fix = `quote the value: "${String(data)}"`;
  } else if (
    (expected === 'integer' || expected === 'number') &&
    typeof data === 'string' &&
    data.trim() !== ''
  ) {
    fix = Number.isFinite(Number(data)) ? `remove the quotes: ${data}` : `write a number`;
  } else if (expected === 'integer' && typeof data === 'number') {
    fix = `use a whole number such as ${Math.round(data)}`;
  } else if (data === null) {
    fix = `the field is empty: give it a value or remove it`;
  } else if (expected === 'array') {
    fix = 'write a list, one `- item` per line or [a, b]';
  }
  return {
    code: 'SCHEMA_TYPE',
    pointer: path,
    message: `${describePath(path) || 'the value'} must be ${wanted}, found ${describe(data)}`,
    fix,
  };
}

function requiredFix(parent: Record<string, unknown> | undefined, name: string): string {
  const property = propertiesOf(parent)[name] as Record<string, unknown> | undefined;
  if (Array.isArray(property?.enum)) return `add ${name}: one of ${property.enum.map(String).join(', ')}`;
  if (typeof property?.description === 'string') return `add ${name}: ${lowerFirst(property.description)}`;
  return `add the field ${name} (see examples/ for its form)`;
}

function propertiesOf(schema: Record<string, unknown> | undefined): Record<string, unknown> {
  const properties = schema?.properties;
  return typeof properties === 'object' && properties !== null ? (properties as Record<string, unknown>) : {};
}

/** The field a pointer ends at, for messages: `/spec/templates/0/deadline` -> `deadline`, `/spec/templates/1` -> `templates[1]`. */
function describePath(pointer: string): string {
  const segments = splitPointer(pointer);
  const last = segments.at(-1);
  if (last === undefined) return '';
  if (/^\d+$/.test(last)) return `${segments.at(-2) ?? ''}[${last}]`;
  return last;
}

/** "A Go duration ..." -> "a Go duration ..."; acronyms ("HTTP ...") stay. */
function lowerFirst(text: string): string {
  return /^[A-Z](?![A-Z])/.test(text) ? text[0]?.toLowerCase() + text.slice(1) : text;
}

/** A value for a message: quoted, and cut in the middle past 80 characters (a field can hold a megabyte). */
function shown(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length <= 80 ? text : `${text.slice(0, 40)}…${text.slice(-20)} (${text.length} characters)`;
}
