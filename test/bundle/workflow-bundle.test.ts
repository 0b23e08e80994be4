/**
 * The workflows bundle: it must build (the bundler rejects Node built-ins reaching the sandbox) and register
 * the workflow types the client starts by name.
 */
import { describe, expect, it } from 'vitest';
import { RUN_WORKFLOW_TYPE } from '../../common/run-input.js';
import { bundleWorkflows } from '../../worker/workflow-bundle.js';

describe('workflow bundle', () => {
  it('bundles the interpreter without Node built-ins and exports its workflow types', async () => {
    const { code } = await bundleWorkflows();
    expect(code.length).toBeGreaterThan(10_000);
    expect(code).toContain(RUN_WORKFLOW_TYPE);
    // Node-only modules that must never reach the sandbox.
    for (const forbidden of ['node:fs', 'node:child_process', '@temporalio/client', '@grpc/grpc-js']) {
      expect(code).not.toContain(`require("${forbidden}")`);
    }
  }, 60_000);
});
