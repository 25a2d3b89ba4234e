/** Pure helpers that turn raw benchmark samples into the figures the report prints. */

export type Scenario = "put" | "get" | "health";

/** One autocannon run against one server. */
export interface RunSample {
  target: string;
  scenario: Scenario;
  round: number;
  /** Successful (2xx) responses per second over the whole run. */
  requestsPerSec: number;
  p50Ms: number;
  p99Ms: number;
  ok: number;
  non2xx: number;
  errors: number;
  durationSec: number;
  /** CPU time the server process spent per successful response. */
  serverCpuMsPerRequest: number;
  /** CPU used by processes outside the benchmark during the run, in % of one core. */
  foreignCpuPct: number;
}

/** The median of each figure over the rounds of one target and scenario. */
export interface ScenarioSummary {
  target: string;
  scenario: Scenario;
  runs: number;
  requestsPerSec: number;
  minRequestsPerSec: number;
  maxRequestsPerSec: number;
  p50Ms: number;
  p99Ms: number;
  serverCpuMsPerRequest: number;
  foreignCpuPct: number;
  non2xx: number;
  errors: number;
}

export type Verdict = "PASS" | "MISS";

export interface TargetCheck {
  name: string;
  measured: number;
  limit: number;
  /** `atLeast`: measured must be >= limit; `below`: measured must be < limit. */
  rule: "atLeast" | "below";
  verdict: Verdict;
}

export function median(values: readonly number[]): number {
  if (values.length === 0) throw new Error("median of no values");
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** Nearest-rank percentile (0 < p <= 100) of values already sorted in ascending order. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
}

export function ratio(numerator: number, denominator: number): number {
  if (denominator <= 0 || !Number.isFinite(denominator)) return Number.NaN;
  return numerator / denominator;
}

/** Groups samples by target and scenario, in order of first appearance, and takes medians. */
export function summarise(samples: readonly RunSample[]): ScenarioSummary[] {
  const groups = new Map<string, RunSample[]>();
  for (const sample of samples) {
    const id = `${sample.target}\u0000${sample.scenario}`;
    const group = groups.get(id) ?? [];
    group.push(sample);
    groups.set(id, group);
  }
  return [...groups.values()].map((group) => {
    const throughput = group.map((sample) => sample.requestsPerSec);
    return {
      target: group[0].target,
      scenario: group[0].scenario,
      runs: group.length,
      requestsPerSec: median(throughput),
      minRequestsPerSec: Math.min(...throughput),
      maxRequestsPerSec: Math.max(...throughput),
      p50Ms: median(group.map((sample) => sample.p50Ms)),
      p99Ms: median(group.map((sample) => sample.p99Ms)),
      serverCpuMsPerRequest: median(group.map((sample) => sample.serverCpuMsPerRequest)),
      foreignCpuPct: median(group.map((sample) => sample.foreignCpuPct)),
      non2xx: group.reduce((sum, sample) => sum + sample.non2xx, 0),
      errors: group.reduce((sum, sample) => sum + sample.errors, 0),
    };
  });
}

/**
 * The median over rounds of `field(numerator) / field(denominator)`, each ratio taken within one
 * round, so slow drift of the shared machine cancels out. NaN when no round has both targets.
 */
export function pairedRatio(
  samples: readonly RunSample[],
  scenario: Scenario,
  numerator: string,
  denominator: string,
  field: (sample: RunSample) => number,
): number {
  const rounds = new Set(samples.map((sample) => sample.round));
  const ratios: number[] = [];
  for (const round of rounds) {
    const inRound = samples.filter(
      (sample) => sample.round === round && sample.scenario === scenario,
    );
    const top = inRound.find((sample) => sample.target === numerator);
    const bottom = inRound.find((sample) => sample.target === denominator);
    if (top !== undefined && bottom !== undefined) ratios.push(ratio(field(top), field(bottom)));
  }
  const finite = ratios.filter(Number.isFinite);
  return finite.length > 0 ? median(finite) : Number.NaN;
}

export function check(
  name: string,
  measured: number,
  rule: TargetCheck["rule"],
  limit: number,
): TargetCheck {
  const met = rule === "atLeast" ? measured >= limit : measured < limit;
  return {
    name,
    measured,
    limit,
    rule,
    verdict: Number.isFinite(measured) && met ? "PASS" : "MISS",
  };
}

/** Renders rows as a plain-text table: the first column left-aligned, the others right-aligned. */
export function formatTable(
  header: readonly string[],
  rows: readonly (readonly string[])[],
): string {
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => (row[column] ?? "").length)),
  );
  const line = (cells: readonly string[]): string =>
    cells
      .map((cell, column) =>
        column === 0 ? cell.padEnd(widths[column]) : cell.padStart(widths[column]),
      )
      .join("  ")
      .trimEnd();
  const rule = widths.map((width) => "-".repeat(width)).join("  ");
  return [line(header), rule, ...rows.map(line)].join("\n");
}
