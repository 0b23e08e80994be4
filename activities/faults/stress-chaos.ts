/**
 * The StressChaos driver, as Chaos Mesh's `stresschaos.Impl`: ExecStressors on the selected container
 * (`scope: CONTAINER`, `enterNS: true`) with the argument strings `Stressors.Normalize` builds, the memory
 * stressor's `oomScoreAdj`, and the instances the daemon started kept as recovery data; recover cancels exactly
 * those (CancelStressors with pid and start time), and a container or instance that is gone counts as
 * recovered.
 *
 * Differences: `stressngStressors` is sent as `cpuStressors` (the CRD says it wins over `stressors`; Chaos Mesh
 * v2.8 drops it, issue #3783), and every argument is checked to be a plain token before it is sent.
 */
import type { CompiledChaosSpec } from '../../common/plan.js';
import type { ExecStressRequestInput } from '../../proto/generated/pb/ExecStressRequest.js';
import { ActivityError } from '../errors.js';
import type { DaemonConnector } from './daemon-connector.js';
import type { FaultDriver } from './fault-driver.js';
import { callOptions, eachTarget, failedRecover, type FaultTarget } from './fault-outcome.js';
import { DaemonError } from '../daemon/daemon-error.js';

const bad = (why: string) => new ActivityError('INVALID_INPUT', `StressChaos: ${why}`);

/**
 * The ExecStressors request for one container. The schema bounds workers (1-8192), load (0-100) and oomScoreAdj
 * (-1000..1000); what it leaves free and ends up on stress-ng's command line (size, options, stressngStressors)
 * is checked here.
 */
export function stressRequest(
  spec: CompiledChaosSpec<'StressChaos'>,
  target: FaultTarget,
): ExecStressRequestInput {
  let cpuStressors = '';
  let memoryStressors = '';
  if (spec.stressngStressors !== undefined && spec.stressngStressors.trim() !== '') {
    cpuStressors = checkedArguments('stressngStressors', spec.stressngStressors);
  } else {
    const cpu = spec.stressors?.cpu;
    if (cpu) {
      cpuStressors = ` --cpu-load-slice 10 --cpu-method sqrt --cpu ${cpu.workers}`;
      if (cpu.load !== undefined) cpuStressors += ` --cpu-load ${cpu.load}`;
      for (const option of cpu.options ?? [])
        cpuStressors += ` ${checkedArguments('stressors.cpu.options', option)} `;
    }
    const memory = spec.stressors?.memory;
    if (memory) {
      memoryStressors = ` --workers ${memory.workers}`;
      if (memory.size) memoryStressors += ` --size ${size(memory.size)}`;
      for (const option of memory.options ?? []) {
        memoryStressors += ` ${checkedArguments('stressors.memory.options', option)} `;
      }
    }
  }
  if (cpuStressors === '' && memoryStressors === '') {
    throw bad(
      'nothing to run: give stressors.cpu or stressors.memory with workers > 0, or stressngStressors',
    );
  }
  return {
    scope: 'CONTAINER',
    target: target.target.containerId,
    cpuStressors,
    memoryStressors,
    enterNS: true,
    oomScoreAdj: spec.stressors?.memory?.oomScoreAdj ?? 0,
  };
}

function size(value: string): string {
  if (!/^\d+(\.\d+)?(%|[KMGTPE]i?B|B)?$/i.test(value)) {
    throw bad(`stressors.memory.size ${JSON.stringify(value.slice(0, 40))} must be like 256MB, 1GiB or 50%`);
  }
  return value;
}

/** Stress arguments are split on blanks by the daemon; each piece must be a plain option or value. */
function checkedArguments(field: string, text: string): string {
  const tokens = text.trim().split(/ +/);
  for (const token of tokens) {
    if (!/^[A-Za-z0-9._%:,+=-]+$/.test(token)) {
      throw bad(
        `${field}: ${JSON.stringify(token.slice(0, 40))} is not a plain stress-ng option or value (letters, digits and . _ % : , + = - only)`,
      );
    }
  }
  return text;
}

const EMPTY_CANCEL = { cpuInstance: '', cpuStartTime: '0', memoryInstance: '', memoryStartTime: '0' };

const INSTANCE_FIELDS = [
  'cpuInstance',
  'cpuStartTime',
  'memoryInstance',
  'memoryStartTime',
  'cpuInstanceUid',
  'memoryInstanceUid',
] as const;

export function createStressChaosDriver(connector: DaemonConnector): FaultDriver<'StressChaos'> {
  return {
    inject: (batch, signal) =>
      eachTarget(batch, async (target) => {
        const request = stressRequest(batch.chaos.spec, target);
        const daemon = await connector.forNode(target.target.node);
        const response = await daemon.call('ExecStressors', request, callOptions(batch, target, signal));
        const recoveryData: Record<string, string> = {};
        for (const field of INSTANCE_FIELDS) recoveryData[field] = String(response[field] ?? '');
        return { ok: true, recoveryData };
      }),
    recover: (batch, signal) =>
      eachTarget(
        batch,
        async (target) => {
          const data = target.recoveryData ?? {};
          const daemon = await connector.forNode(target.target.node);
          if (!data['cpuInstance'] && !data['memoryInstance']) {
            // The inject's answer was lost (cancelled by an abort, or timed out) though stress-ng may have
            // started: the chaosflow agent cancels by the fault key the call carries.
            return daemon.call('CancelStressors', EMPTY_CANCEL, callOptions(batch, target, signal)).then(
              () => ({ ok: true }),
              (err: unknown) => {
                if (!(err instanceof DaemonError) || err.context.status !== 'INVALID_ARGUMENT') throw err;
                return {
                  ok: true,
                  message:
                    'no stress instance was recorded for this target and its daemon cannot cancel by fault key: ' +
                    'any stressor its inject started is left to the daemon',
                };
              },
            );
          }
          const request = {
            cpuInstance: data['cpuInstance'] ?? '',
            cpuStartTime: data['cpuStartTime'] || '0',
            memoryInstance: data['memoryInstance'] ?? '',
            memoryStartTime: data['memoryStartTime'] || '0',
          };
          const options = callOptions(batch, target, signal);
          if (!daemon.callWithWarnings) {
            await daemon.call('CancelStressors', request, options);
            return { ok: true };
          }
          // chaosflow's agent says when its lease had recovered the stressors already, or drift after the cancel.
          const { warnings } = await daemon.callWithWarnings('CancelStressors', request, options);
          return warnings.length > 0 ? { ok: true, message: warnings.join('; ') } : { ok: true };
        },
        failedRecover,
      ),
  };
}
