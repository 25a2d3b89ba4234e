import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { digestRef, platformsFor } from "./image-ref";
import { promoteImage, remoteDigest, runCommand } from "./promote-image";
import {
  readProjectName,
  repositoryTargets,
  repositoryUrlFromState,
  stackArchitecture,
} from "./stack";

const ROOT = resolve(__dirname, "..", "..");

const USAGE = `usage: npm run deploy-helper -- <command>
  repository-targets <stack>          URNs for the targeted up that creates the ECR repository
  repository-url                      repository URL from \`pulumi stack export\` on stdin
  platforms <stack>...                docker platforms for the stacks' picus:cpuArchitecture
  digest-ref <repository-url> <digest>
  remote-digest <ref>                 digest of an image in its registry, empty if absent
  promote <source-digest-ref> <target-repository-url> <tag>`;

async function run(args: string[]): Promise<string> {
  const [command, ...rest] = args;
  switch (command) {
    case "repository-targets":
      if (rest.length !== 1) break;
      return repositoryTargets(readProjectName(ROOT), rest[0]).join("\n");
    case "repository-url":
      if (rest.length !== 0) break;
      return repositoryUrlFromState(readFileSync(0, "utf8"));
    case "platforms":
      if (rest.length === 0) break;
      return platformsFor(rest.map((stack) => stackArchitecture(ROOT, stack)));
    case "digest-ref":
      if (rest.length !== 2) break;
      return digestRef(rest[0], rest[1]);
    case "remote-digest":
      if (rest.length !== 1) break;
      return (await remoteDigest(runCommand, rest[0])) ?? "";
    case "promote":
      if (rest.length !== 3) break;
      return promoteImage(runCommand, { source: rest[0], targetRepository: rest[1], tag: rest[2] });
  }
  throw new UsageError(USAGE);
}

class UsageError extends Error {}

run(process.argv.slice(2)).then(
  (output) => {
    process.stdout.write(`${output}\n`);
  },
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : String(error));
    process.exitCode = error instanceof UsageError ? 2 : 1;
  },
);
