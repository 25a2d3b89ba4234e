/** `tsx bench/profile.ts <file.cpuprofile>...`: where a profiled server spent its CPU time. */
import { readFileSync } from "node:fs";
import { basename } from "node:path";
import { summariseProfile, type CpuProfile, type Share } from "./cpu-profile";
import { formatTable } from "./summary";

function rows(shares: Share[], requests: number | undefined): string[][] {
  return shares.map((share) => [
    share.name,
    share.ms.toFixed(0),
    share.pct.toFixed(1),
    ...(requests ? [((share.ms * 1000) / requests).toFixed(1)] : []),
  ]);
}

/** The profile's top packages and functions; with `requests`, also microseconds per request. */
export function describeProfile(file: string, limit = 25, requests?: number): string {
  const profile = JSON.parse(readFileSync(file, "utf8")) as CpuProfile;
  const summary = summariseProfile(profile, limit);
  const busy = summary.totalMs - summary.idleMs;
  const perRequest = requests ? ["us/req"] : [];
  return [
    `${basename(file)}: ${summary.totalMs.toFixed(0)} ms sampled, ${busy.toFixed(0)} ms busy` +
      (requests
        ? `, ${requests} responses, ${((busy * 1000) / requests).toFixed(0)} us busy each`
        : ""),
    "",
    formatTable(
      ["self time by package", "ms", "%", ...perRequest],
      rows(summary.selfByPackage, requests),
    ),
    "",
    formatTable(
      ["self time by function", "ms", "%", ...perRequest],
      rows(summary.selfByFunction, requests),
    ),
    "",
    formatTable(
      ["time in function, callees included", "ms", "%", ...perRequest],
      rows(summary.inclusiveByFunction, requests),
    ),
  ].join("\n");
}

if (require.main === module) {
  const files = process.argv.slice(2);
  if (files.length === 0) {
    console.error("usage: tsx bench/profile.ts <file.cpuprofile>...");
    process.exit(2);
  }
  for (const file of files) console.log(`${describeProfile(file, 40)}\n`);
}
