import { expect, it } from 'vitest';
import { cgroupsName, runtimeContainerId } from '../../../agent/container-process.js';

const id = 'a'.repeat(60) + '0123';

it('takes the id out of containerd://, docker:// and cri-o:// ids, and nothing else', () => {
  expect(runtimeContainerId(`containerd://${id}`)).toBe(id);
  expect(runtimeContainerId(`docker://${id}`)).toBe(id);
  expect(runtimeContainerId(`cri-o://${id}`)).toBe(id);
  expect(runtimeContainerId('pid://42')).toBeUndefined();
  expect(runtimeContainerId('containerd://abc')).toBeUndefined();
  expect(runtimeContainerId(`containerd://${id.toUpperCase()}`)).toBeUndefined();
  expect(runtimeContainerId(`rkt://${id}`)).toBeUndefined();
  expect(runtimeContainerId(`containerd://${id}/../x`)).toBeUndefined();
});

it('finds the container in cgroup paths of the cgroupfs and systemd drivers, v1 and v2', () => {
  const v1 = `12:pids:/kubepods/besteffort/pod1234/${id}\n11:memory:/kubepods/besteffort/pod1234/${id}\n`;
  expect(cgroupsName(v1, id)).toBe(true);
  expect(cgroupsName(`0::/kubepods.slice/kubepods-pod1.slice/cri-containerd-${id}.scope\n`, id)).toBe(true);
  expect(cgroupsName(`0::/system.slice/docker-${id}.scope\n`, id)).toBe(true);
  expect(cgroupsName(`0::/kubepods.slice/crio-${id}.scope\n`, id)).toBe(true);
});

it('does not mistake a sibling container or a prefix of the id for the container', () => {
  const other = 'b'.repeat(64);
  expect(cgroupsName(`4:memory:/kubepods/besteffort/pod1234/${other}\n`, id)).toBe(false);
  expect(cgroupsName(`4:memory:/kubepods/besteffort/pod1234/${id}x\n`, id)).toBe(false);
  expect(cgroupsName(`0::/user.slice\n`, id)).toBe(false);
  // CRI-O's monitor of the container is not the container.
  expect(cgroupsName(`0::/kubepods.slice/crio-conmon-${id}.scope\n`, id)).toBe(false);
  // A v1 named hierarchy line with colons in its name still parses.
  expect(cgroupsName(`1:name=systemd:/kubepods/burstable/pod9/${id}\n`, id)).toBe(true);
});
