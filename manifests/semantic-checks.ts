/**
 * Checks beyond the JSON Schema, run on documents the schema accepted (so the generated types hold). Each
 * finding has its own error code; see `errors.ts`.
 */
import type {
  Manifest,
  PodSelector,
  ScheduleManifest,
  WorkflowManifest,
} from '../common/generated/manifest-types.js';
import { checkChaosSpec } from './chaos-checks.js';
import type { ManifestIssue } from './errors.js';
import type { ManifestKind } from './manifest-kinds.js';
import { checkScheduleSpec } from './schedule-checks.js';
import { checkUnhonouredMetadata } from './unhonoured-fields.js';
import { checkWorkflowSpec } from './workflow-checks.js';
import type { TaskRuntime } from './host-task-checks.js';

export function semanticIssues(
  kind: ManifestKind,
  manifest: Manifest,
  tasks: TaskRuntime = 'host',
): ManifestIssue[] {
  const issues: ManifestIssue[] = [];
  checkUnhonouredMetadata(manifest, issues);
  if (kind === 'Workflow') checkWorkflowSpec((manifest as WorkflowManifest).spec, '/spec', issues, tasks);
  else if (kind === 'Schedule')
    checkScheduleSpec((manifest as ScheduleManifest).spec, '/spec', issues, tasks);
  else
    checkChaosSpec(
      kind,
      manifest.spec as PodSelector & { action?: string },
      '/spec',
      { in: 'standalone' },
      issues,
    );
  return issues;
}
