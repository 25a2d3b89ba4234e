/**
 * CPU accounting from Linux /proc: how much CPU each server spent per request, and how much the
 * rest of the (shared) machine used during a run, which tells a quiet run from a noisy one.
 */
import { readFileSync } from "node:fs";

/** Linux reports CPU times in clock ticks of 1/100 s (USER_HZ) on every mainstream architecture. */
export const TICKS_PER_SECOND = 100;

/** utime + stime of one process, in ticks, from the text of /proc/<pid>/stat. */
export function parseProcessTicks(stat: string): number {
  // The command name (field 2) is parenthesised and may contain spaces; fields 14 and 15 follow.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  if (!Number.isFinite(utime) || !Number.isFinite(stime)) throw new Error("unreadable /proc stat");
  return utime + stime;
}

/** Busy ticks of all CPUs together (everything but idle and iowait), from the text of /proc/stat. */
export function parseSystemBusyTicks(stat: string): number {
  const line = stat.split("\n").find((entry) => entry.startsWith("cpu "));
  if (line === undefined) throw new Error("no cpu line in /proc/stat");
  const [user, nice, system, idle, iowait, irq, softirq, steal] = line
    .trim()
    .split(/\s+/)
    .slice(1)
    .map(Number);
  void idle;
  void iowait;
  return user + nice + system + irq + softirq + (steal ?? 0);
}

export function processTicks(pid: number): number {
  try {
    return parseProcessTicks(readFileSync(`/proc/${pid}/stat`, "utf8"));
  } catch {
    return Number.NaN;
  }
}

export function systemBusyTicks(): number {
  try {
    return parseSystemBusyTicks(readFileSync("/proc/stat", "utf8"));
  } catch {
    return Number.NaN;
  }
}

export interface CpuSnapshot {
  system: number;
  byPid: Map<number, number>;
}

export function snapshot(pids: readonly number[]): CpuSnapshot {
  return { system: systemBusyTicks(), byPid: new Map(pids.map((pid) => [pid, processTicks(pid)])) };
}

export interface CpuUsage {
  /** CPU seconds each watched process used between the snapshots. */
  secondsByPid: Map<number, number>;
  /** CPU seconds used by every other process on the machine. */
  foreignSeconds: number;
}

export function usageBetween(before: CpuSnapshot, after: CpuSnapshot): CpuUsage {
  const secondsByPid = new Map<number, number>();
  let watched = 0;
  for (const [pid, ticks] of after.byPid) {
    const seconds = (ticks - (before.byPid.get(pid) ?? Number.NaN)) / TICKS_PER_SECOND;
    secondsByPid.set(pid, seconds);
    watched += seconds;
  }
  const foreignSeconds = Math.max(0, (after.system - before.system) / TICKS_PER_SECOND - watched);
  return { secondsByPid, foreignSeconds };
}
