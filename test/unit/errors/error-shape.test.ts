/**
 * One error shape: every error class any product module exports extends ChaosflowError (so it carries the
 * brand that works across the workflow sandbox, a code and a context), lists its codes, and every code is
 * UPPER_SNAKE_CASE. The modules are found by walking the source folders, so a new error class is checked
 * without being named here.
 */
import { readdir } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  ChaosflowError,
  ERROR_CODE_PATTERN,
  errorMessage,
  isChaosflowError,
  isChaosflowErrorClass,
} from '../../../common/errors/chaosflow-error.js';

const ROOT = join(import.meta.dirname, '..', '..', '..');
const SOURCE_FOLDERS = [
  'activities',
  'agent',
  'cli',
  'client',
  'common',
  'controller',
  'embedded',
  'manifests',
  'proto',
  'telemetry',
  'worker',
  'workflows',
];

/** Entry points run their program when imported; they export nothing. */
const ENTRY_POINTS = new Set(['cli/main.ts']);

async function sourceModules(): Promise<string[]> {
  const files: string[] = [];
  for (const folder of SOURCE_FOLDERS) {
    const entries = await readdir(join(ROOT, folder), { recursive: true, withFileTypes: true }).catch(
      () => [],
    );
    for (const entry of entries) {
      const path = join(entry.parentPath, entry.name);
      const generated = path.includes('/generated/');
      if (entry.isFile() && path.endsWith('.ts') && !generated && !ENTRY_POINTS.has(relative(ROOT, path))) {
        files.push(path);
      }
    }
  }
  return files.sort();
}

interface ErrorClass {
  module: string;
  name: string;
  value: { prototype: object; codes?: readonly string[] };
}

async function exportedErrorClasses(): Promise<ErrorClass[]> {
  const found: ErrorClass[] = [];
  for (const path of await sourceModules()) {
    const exports = (await import(pathToFileURL(path).href)) as Record<string, unknown>;
    for (const [name, value] of Object.entries(exports)) {
      if (typeof value === 'function' && value.prototype instanceof Error && value !== ChaosflowError) {
        found.push({ module: relative(ROOT, path), name, value: value });
      }
    }
  }
  return found;
}

describe('the error shape', () => {
  it('is the shape of every exported error class, with codes in one casing', async () => {
    const classes = await exportedErrorClasses();
    // The walk found the classes it is meant to check (a broken walk must not pass by finding none).
    expect(classes.map((c) => c.name)).toEqual(
      expect.arrayContaining(['ActivityError', 'AgentError', 'CronError', 'DaemonError', 'SelectionError']),
    );
    const problems: string[] = [];
    for (const { module, name, value } of classes) {
      if (!isChaosflowErrorClass(value)) problems.push(`${module}: ${name} does not extend ChaosflowError`);
      const codes = value.codes ?? [];
      if (codes.length === 0) problems.push(`${module}: ${name} lists no codes (static codes)`);
      for (const code of codes) {
        if (!ERROR_CODE_PATTERN.test(code))
          problems.push(`${module}: ${name} code ${code} is not UPPER_SNAKE_CASE`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('is recognised by its brand where instanceof fails (another realm, as in the workflow sandbox)', () => {
    class LocalError extends ChaosflowError<'LOCAL_PROBLEM'> {}
    const error = new LocalError('LOCAL_PROBLEM', 'problem', { where: 'here' });
    // What the sandbox sees: an object from another copy of the class, with the same brand symbol.
    const copy = Object.create(Object.getPrototypeOf(error) as object) as object;
    expect(isChaosflowError(error)).toBe(true);
    expect(isChaosflowError(copy)).toBe(true);
    expect(isChaosflowError(new Error('plain'))).toBe(false);
    expect(isChaosflowError({ code: 'LOCAL_PROBLEM' })).toBe(false);
    expect(error.context).toEqual({ where: 'here' });
  });

  it('reads the message of anything thrown', () => {
    expect(errorMessage(new Error('boom'))).toBe('boom');
    expect(errorMessage('text')).toBe('text');
    expect(errorMessage(42)).toBe('42');
    expect(errorMessage(undefined)).toBe('undefined');
  });
});
