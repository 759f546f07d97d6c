/**
 * The process environment onnxruntime-node must start in.
 *
 * onnxruntime-node 1.30's Linux build starts a telemetry module when the first session creates
 * the ORT environment: it reads /etc/machine-id, /etc/os-release and /proc/self/cmdline, writes
 * an empty /tmp/mat-debug-<pid>.log, and matches the command line with a recursive std::regex
 * (about 300 bytes of stack per character). A worker thread has a 4 MB stack, so a process
 * started with ~14 KB of arguments (a shell glob of a few hundred files) died with SIGSEGV
 * inside the first InferenceSession.create (docs/architecture.md, "onnxruntime-node and long
 * command lines"). ORT_DISABLE_TELEMETRY=1 turns the module off: no reads, no file, no crash.
 *
 * Native code reads the process's real environment, and a worker's process.env is a private
 * copy, so this must run on the main thread before a worker loads onnxruntime: the Encoder
 * calls it before it spawns its worker, and session.ts calls it for benches that use
 * onnxruntime on the main thread.
 */
import { isMainThread } from 'node:worker_threads';

export const ORT_TELEMETRY_VARIABLE = 'ORT_DISABLE_TELEMETRY';

/** Turns onnxruntime's telemetry off for this process; returns whether it is off. */
export function disableOrtTelemetry(): boolean {
  if (isMainThread) process.env[ORT_TELEMETRY_VARIABLE] = '1';
  return process.env[ORT_TELEMETRY_VARIABLE] === '1';
}
