import { existsSync, readFileSync } from "node:fs";
import { lintDockerfile } from "./dockerfile-rules";

/** `npm run lint:dockerfile [-- <Dockerfile>...]` (default: app/Dockerfile). */
function main(paths: string[]): number {
  const files = paths.length > 0 ? paths : ["app/Dockerfile"];
  let failures = 0;
  for (const file of files) {
    if (!existsSync(file)) {
      console.error(`${file}: not found`);
      failures += 1;
      continue;
    }
    const problems = lintDockerfile(readFileSync(file, "utf8"));
    for (const problem of problems) console.error(`${file}:${problem.line}: ${problem.message}`);
    if (problems.length === 0) console.log(`${file}: ok`);
    failures += problems.length;
  }
  return failures === 0 ? 0 : 1;
}

process.exitCode = main(process.argv.slice(2));
