/**
 * A `describe` for tests that need external tools. When a tool is missing the suite is still collected but
 * skipped, and the reason is part of its title, so every skipped test says why in the reporter output and in
 * the CI summary instead of disappearing.
 */
import { describe } from 'vitest';
import { missingTools, type ToolName } from './tools.js';

export function describeWithTools(tools: readonly ToolName[], title: string, body: () => void): void {
  const missing = missingTools(tools);
  if (missing === undefined) describe(title, body);
  else describe.skip(`${title} [cannot run here: ${missing}]`, body);
}
