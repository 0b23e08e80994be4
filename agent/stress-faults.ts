/**
 * ExecStressors / CancelStressors. The response carries Chaos Mesh's instance ids: `cpuInstance` = the
 * stress-ng pid as a string, `cpuStartTime` = its start time in ms, `cpuInstanceUid` = a UUID (likewise for
 * memory). A repeated ExecStressors with the same fault key returns the instances already running instead of
 * starting more; CancelStressors of an instance that is gone succeeds with a warning.
 *
 * `enterNS` and `scope` are accepted and ignored: a host process shares the host's PID namespace, and the
 * target is always the one process named by `target`.
 */
import { errorMessage } from '../common/errors/chaosflow-error.js';
import type { CancelStressRequest } from '../proto/generated/pb/CancelStressRequest.js';
import type { ExecStressRequest } from '../proto/generated/pb/ExecStressRequest.js';
import type { ExecStressResponse } from '../proto/generated/pb/ExecStressResponse.js';
import { AgentError } from './agent-error.js';
import { nextEntry, saveEntry, type CallScope, type FaultContext } from './fault-context.js';
import { refuseProtectedPid, resolveHostTarget } from './host-target.js';
import type { JournalEntry } from './journal.js';
import { isSameProcess } from './process-info.js';
import { memStressToStressNg, parseStressNgArgs } from './stress-args.js';
import type { StressInstance, StressRole } from './stress-instances.js';

export class StressFaults {
  constructor(private readonly ctx: FaultContext) {}

  async exec(scope: CallScope, request: ExecStressRequest): Promise<ExecStressResponse> {
    const argv: Partial<Record<StressRole, string[]>> = {};
    if (request.cpuStressors.trim()) argv.cpu = parseStressNgArgs('cpuStressors', request.cpuStressors);
    if (request.memoryStressors.trim())
      argv.memory = memStressToStressNg('memoryStressors', request.memoryStressors);
    if (!argv.cpu && !argv.memory) {
      throw new AgentError('INVALID_ARGUMENT', 'ExecStressors needs cpuStressors or memoryStressors');
    }
    if (!Number.isInteger(request.oomScoreAdj) || Math.abs(request.oomScoreAdj) > 1000) {
      throw new AgentError(
        'INVALID_ARGUMENT',
        `oomScoreAdj ${request.oomScoreAdj} is not within -1000..1000`,
      );
    }
    const target = await resolveHostTarget(request.target, 'target');
    const journal = this.ctx.journal;

    const running = await liveInstances(journal.get(scope.key));
    if (running.length > 0 && journal.get(scope.key)?.target.pid === target.pid) {
      scope.logger.info({ key: scope.key, pids: running.map((i) => i.pid) }, 'stressors already running');
      return response(running);
    }

    await journal.put(nextEntry(journal.get(scope.key), scope, target, { stressors: running }, 'applying'));
    const started: StressInstance[] = [];
    try {
      for (const role of ['cpu', 'memory'] as const) {
        const args = argv[role];
        if (!args) continue;
        const instance = await this.ctx.stress.start(target, role, args, request.oomScoreAdj);
        started.push(instance);
        await journal.put(
          nextEntry(journal.get(scope.key), scope, target, { stressors: started }, 'applying'),
        );
      }
    } catch (err) {
      for (const instance of started) {
        await this.ctx.stress.stop(instance.pid, instance.startTimeMs, true, instance.uid);
      }
      await saveEntry(
        journal,
        nextEntry(journal.get(scope.key), scope, target, {
          stressors: [],
          lastError: errorMessage(err),
        }),
      );
      throw err;
    }
    await saveEntry(journal, nextEntry(journal.get(scope.key), scope, target, { stressors: started }));
    scope.logger.info({ pid: target.pid, instances: started.map((i) => i.pid) }, 'stressors started');
    return response(started);
  }

  async cancel(scope: CallScope, request: CancelStressRequest): Promise<void> {
    const wanted = [
      {
        role: 'cpu',
        instance: request.cpuInstance,
        startTime: request.cpuStartTime,
        uid: request.cpuInstanceUid,
      },
      {
        role: 'memory',
        instance: request.memoryInstance,
        startTime: request.memoryStartTime,
        uid: request.memoryInstanceUid,
      },
    ].filter((w) => w.instance || w.uid);
    if (wanted.length === 0) {
      // The worker lost the inject's answer (the inject was cancelled by an abort, or timed out) but names
      // its fault: everything started under that key is stopped.
      if (scope.keySource === 'metadata') return this.cancelByKey(scope);
      throw new AgentError(
        'INVALID_ARGUMENT',
        'CancelStressors needs cpuInstance or memoryInstance (or their uid), or the chaosflow-fault-key metadata',
      );
    }
    for (const w of wanted) {
      const known = this.findInstance(w.instance, w.startTime, w.uid);
      if (!known && w.instance === '') {
        scope.logger.warn({ role: w.role, uid: w.uid }, 'no stressor with this uid; counting it as gone');
        continue;
      }
      const pid = known?.instance.pid ?? parsePid(`${w.role}Instance`, w.instance);
      refuseProtectedPid(pid, `${w.role}Instance`);
      const startTimeMs = known?.instance.startTimeMs ?? parseStartTime(`${w.role}StartTime`, w.startTime);
      const outcome = await this.ctx.stress.stop(pid, startTimeMs, known !== undefined, known?.instance.uid);
      if (outcome === 'gone') scope.logger.warn({ pid, role: w.role }, 'stressor already gone');
      else scope.logger.info({ pid, role: w.role }, 'stressor stopped');
      if (known) {
        const stressors = (known.entry.stressors ?? []).filter((i) => i.pid !== pid);
        await saveEntry(
          this.ctx.journal,
          nextEntry(
            known.entry,
            { ...scope, key: known.entry.key, keySource: known.entry.keySource },
            known.entry.target,
            { stressors },
          ),
        );
      }
    }
  }

  /** Stops every stressor journaled under the call's fault key; none is fine (the inject never got so far). */
  private async cancelByKey(scope: CallScope): Promise<void> {
    const entry = this.ctx.journal.get(scope.key);
    const instances = entry?.stressors ?? [];
    for (const instance of instances) {
      const outcome = await this.ctx.stress.stop(instance.pid, instance.startTimeMs, true, instance.uid);
      scope.logger.info({ key: scope.key, pid: instance.pid, outcome }, 'stressor stopped by fault key');
    }
    if (entry) await saveEntry(this.ctx.journal, nextEntry(entry, scope, entry.target, { stressors: [] }));
    else scope.logger.info({ key: scope.key }, 'no stressor under this fault key; nothing to cancel');
  }

  private findInstance(
    instance: string,
    startTime: string,
    uid: string,
  ): { entry: JournalEntry; instance: StressInstance } | undefined {
    for (const entry of this.ctx.journal.entries()) {
      for (const candidate of entry.stressors ?? []) {
        const byPid =
          instance !== '' &&
          String(candidate.pid) === instance &&
          String(candidate.startTimeMs) === startTime;
        const byUid = uid !== '' && candidate.uid === uid;
        if (byPid || byUid) return { entry, instance: candidate };
      }
    }
    return undefined;
  }
}

async function liveInstances(entry: JournalEntry | undefined): Promise<StressInstance[]> {
  const live: StressInstance[] = [];
  for (const instance of entry?.stressors ?? []) {
    if (await isSameProcess(instance.pid, instance.startTimeMs)) live.push(instance);
  }
  return live;
}

function response(instances: readonly StressInstance[]): ExecStressResponse {
  const cpu = instances.find((i) => i.role === 'cpu');
  const memory = instances.find((i) => i.role === 'memory');
  return {
    cpuInstance: cpu ? String(cpu.pid) : '',
    cpuStartTime: cpu ? String(cpu.startTimeMs) : '0',
    cpuInstanceUid: cpu?.uid ?? '',
    memoryInstance: memory ? String(memory.pid) : '',
    memoryStartTime: memory ? String(memory.startTimeMs) : '0',
    memoryInstanceUid: memory?.uid ?? '',
  };
}

function parsePid(field: string, value: string): number {
  if (!/^[1-9]\d{0,9}$/.test(value)) {
    throw new AgentError('INVALID_ARGUMENT', `${field} ${JSON.stringify(value.slice(0, 40))} is not a pid`);
  }
  return Number(value);
}

function parseStartTime(field: string, value: string): number {
  if (!/^\d{1,16}$/.test(value)) {
    throw new AgentError(
      'INVALID_ARGUMENT',
      `${field} ${JSON.stringify(value.slice(0, 40))} is not a time in ms`,
    );
  }
  return Number(value);
}
