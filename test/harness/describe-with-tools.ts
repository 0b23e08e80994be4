/** A `describe` for tests that need external tools (see `describe-unless.ts`). */
import { describeUnless } from './describe-unless.js';
import { missingTools, type ToolName } from '../../embedded/installed-tools.js';

export function describeWithTools(tools: readonly ToolName[], title: string, body: () => void): void {
  describeUnless(missingTools(tools), title, body);
}
