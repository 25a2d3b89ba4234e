/** Summaries of a V8 CPU profile (`node --cpu-prof`): where a server spends its time, by package and function. */

export interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

export interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

export interface Share {
  name: string;
  ms: number;
  /** Of all sampled time, idle included. */
  pct: number;
}

export interface ProfileSummary {
  totalMs: number;
  idleMs: number;
  /** Self time by package (`pino`, `@nestjs/core`, `node:internal`, `(app)`, ...). */
  selfByPackage: Share[];
  /** Self time by function. */
  selfByFunction: Share[];
  /** Time inside each function, callees included, counted once per sample. */
  inclusiveByFunction: Share[];
}

const IDLE_FRAMES = new Set(["(idle)", "(program)", "(garbage collector)"]);

/** The npm package a script belongs to, `node:internal` for Node's own code, `(app)` otherwise. */
export function packageOf(url: string): string {
  if (url === "") return "(native)";
  if (url.startsWith("node:")) return "node:internal";
  const marker = "/node_modules/";
  const at = url.lastIndexOf(marker);
  if (at < 0) return "(app)";
  const parts = url.slice(at + marker.length).split("/");
  return parts[0].startsWith("@") ? `${parts[0]}/${parts[1]}` : parts[0];
}

function frameName(node: ProfileNode): string {
  const { functionName, url, lineNumber } = node.callFrame;
  if (url === "") return functionName || "(anonymous)";
  const file = url.replace(/^.*\/node_modules\//, "").replace(/^.*\/dist\//, "dist/");
  return `${functionName || "(anonymous)"} ${file}:${lineNumber + 1}`;
}

function top(totals: Map<string, number>, totalMs: number, limit: number): Share[] {
  return [...totals.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, limit)
    .map(([name, ms]) => ({ name, ms, pct: totalMs > 0 ? (ms / totalMs) * 100 : 0 }));
}

export function summariseProfile(profile: CpuProfile, limit = 25): ProfileSummary {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) {
    for (const child of node.children ?? []) parent.set(child, node.id);
  }
  const selfByPackage = new Map<string, number>();
  const selfByFunction = new Map<string, number>();
  const inclusive = new Map<string, number>();
  let totalMs = 0;
  let idleMs = 0;
  profile.samples.forEach((id, index) => {
    const ms = (profile.timeDeltas[index] ?? 0) / 1000;
    const node = byId.get(id);
    if (node === undefined) return;
    totalMs += ms;
    const { functionName, url } = node.callFrame;
    if (url === "" && IDLE_FRAMES.has(functionName)) {
      const name = functionName === "(garbage collector)" ? "(garbage collector)" : "(idle)";
      if (name === "(idle)") idleMs += ms;
      else selfByPackage.set(name, (selfByPackage.get(name) ?? 0) + ms);
      return;
    }
    const pkg = packageOf(url);
    selfByPackage.set(pkg, (selfByPackage.get(pkg) ?? 0) + ms);
    const self = frameName(node);
    selfByFunction.set(self, (selfByFunction.get(self) ?? 0) + ms);
    const seen = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const frame = byId.get(at);
      if (frame === undefined || frame.callFrame.functionName === "(root)") break;
      const name = frameName(frame);
      if (seen.has(name)) continue;
      seen.add(name);
      inclusive.set(name, (inclusive.get(name) ?? 0) + ms);
    }
  });
  return {
    totalMs,
    idleMs,
    selfByPackage: top(selfByPackage, totalMs, limit),
    selfByFunction: top(selfByFunction, totalMs, limit),
    inclusiveByFunction: top(inclusive, totalMs, limit),
  };
}
