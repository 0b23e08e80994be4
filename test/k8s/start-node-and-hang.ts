/**
 * For kube-node.test.ts: starts the one-node Kubernetes with a web pod, prints `ready <pod ip>` and waits to be
 * killed, so that the test can SIGKILL it before its teardown and check that the next node cleans up after it.
 */
import { startKubeNode, webPod } from '../../embedded/kube-node.js';

const node = await startKubeNode();
const ns = await node.kube.freshNamespace('crash');
const pod = await node.runPod(ns, webPod('web'));
process.stdout.write(`ready ${pod.status?.podIP}\n`);
setInterval(() => undefined, 60_000);
