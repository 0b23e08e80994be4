/**
 * `chaosflow plan --inventory` asks the real chaosflow agent of the targets' node what it can do on this host
 * (GetCapabilities) and warns before the run: a NetworkChaos delay needs netem, which this host's kernel may
 * lack (the test checks against the agent's own netem probe, so it holds on kernels with netem too); IOChaos
 * and TimeChaos are answered UNIMPLEMENTED; loss without netem is carried out by iptables statistic.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCommandRunner } from '../../../agent/command-runner.js';
import { probeNetem } from '../../../agent/netem-probe.js';
import { planAction } from '../../../cli/commands/plan.js';
import { inventoryCapabilityWarnings } from '../../../cli/plan-capabilities.js';
import { startAgentFixture, type AgentFixture } from './agent-fixture.js';

describe('plan --inventory: what the agent cannot do on this host', () => {
  let fixture: AgentFixture;
  let dir: string;
  let inventory: string;

  beforeAll(async () => {
    // No chaosflow-iofs: IOChaos is unavailable there, with the reason.
    fixture = await startAgentFixture({ iofs: '/nonexistent/chaosflow-iofs' });
    dir = await mkdtemp(join(tmpdir(), 'chaosflow-plan-caps-'));
    inventory = join(dir, 'inventory.yaml');
    await writeFile(
      inventory,
      `nodes:
  - name: local
    daemon: { address: ${fixture.agent.address} }
pods:
  - { namespace: default, name: demo-0, labels: { app: demo }, node: local, containers: [{ name: server, id: pid://${process.pid} }] }
`,
    );
  });
  afterAll(async () => {
    await fixture?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  const plan = async (manifest: string): Promise<{ code: number; stderr: string }> => {
    const file = join(dir, `m-${Math.random().toString(36).slice(2)}.yaml`);
    await writeFile(file, manifest);
    const err: string[] = [];
    const code = await planAction(
      file,
      { output: 'json' },
      {
        stdout: () => undefined,
        stderr: (t) => err.push(t),
        checkCapabilities: (p) => inventoryCapabilityWarnings(inventory, p),
      },
    );
    return { code, stderr: err.join('') };
  };
  const chaos = (kind: string, spec: string): string =>
    `apiVersion: chaos-mesh.org/v1alpha1\nkind: ${kind}\nmetadata: { name: x, namespace: default }\nspec:\n  mode: all\n  selector: { labelSelectors: { app: demo } }\n${spec}`;

  it('warns that delay needs netem where the kernel lacks it, and says how loss is done instead', async () => {
    const netem = await probeNetem(
      createCommandRunner(pino({ level: 'silent' }), 10_000),
      pino({ level: 'silent' }),
    );
    const delay = await plan(
      chaos('NetworkChaos', '  action: delay\n  delay: { latency: 100ms }\n  duration: 30s\n'),
    );
    const loss = await plan(
      chaos('NetworkChaos', '  action: loss\n  loss: { loss: "20" }\n  duration: 30s\n'),
    );
    process.stderr.write(`[plan] netem ${netem.available}; delay: ${delay.stderr.trim()}\n`);
    expect(delay.code).toBe(0);
    expect(loss.code).toBe(0);
    if (netem.available) {
      expect(delay.stderr).not.toMatch(/netem/);
      expect(loss.stderr).not.toMatch(/statistic/);
    } else {
      expect(delay.stderr).toMatch(
        /warning: x \(NetworkChaos delay\) will fail on node local: delay need the netem qdisc \(sch_netem\)/,
      );
      expect(loss.stderr).toMatch(
        /warning: x \(NetworkChaos loss\) on node local: no netem there; .*iptables statistic/,
      );
    }
  });

  it('warns that IOChaos (without chaosflow-iofs) and TimeChaos are not available on the agent, with its reason', async () => {
    const io = await plan(
      chaos('IOChaos', '  action: latency\n  volumePath: /tmp\n  delay: 10ms\n  duration: 30s\n'),
    );
    const time = await plan(chaos('TimeChaos', '  timeOffset: -1h\n  duration: 30s\n'));
    expect(io.stderr).toMatch(
      /warning: x \(IOChaos latency\) will fail on node local: IOChaos needs chaosflow-iofs, which does not run at \/nonexistent\/chaosflow-iofs/,
    );
    expect(time.stderr).toMatch(
      /warning: x \(TimeChaos\) will fail on node local: TimeChaos needs Chaos Mesh's watchmaker/,
    );
  });

  it('says so, without failing the plan, when the agent cannot be asked', async () => {
    const unreachable = join(dir, 'unreachable.yaml');
    await writeFile(
      unreachable,
      `nodes:\n  - { name: local, daemon: { address: 127.0.0.1:1 } }\npods:\n  - { namespace: default, name: demo-0, labels: { app: demo }, node: local, containers: [{ name: s, id: pid://${process.pid} }] }\n`,
    );
    const file = join(dir, 'delay.yaml');
    await writeFile(
      file,
      chaos('NetworkChaos', '  action: delay\n  delay: { latency: 100ms }\n  duration: 30s\n'),
    );
    const err: string[] = [];
    const code = await planAction(
      file,
      { output: 'json' },
      {
        stdout: () => undefined,
        stderr: (t) => err.push(t),
        checkCapabilities: (p) => inventoryCapabilityWarnings(unreachable, p),
      },
    );
    expect(code).toBe(0);
    expect(err.join('')).toMatch(/warning: x: could not ask the agent of node local what it can do/);
  });
});
