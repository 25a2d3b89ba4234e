import { spawn } from "node:child_process";
import { digestRef, parseDigestRef, taggedRef } from "./image-ref";

export interface CommandResult {
  code: number;
  stdout: string;
  stderr: string;
}

export type RunCommand = (command: string, args: readonly string[]) => Promise<CommandResult>;

export const runCommand: RunCommand = (command, args) =>
  new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code: code ?? 1, stdout, stderr }));
  });

const NOT_FOUND = /not found|manifest unknown|MANIFEST_UNKNOWN|does not exist/i;

/** The digest a reference resolves to in its registry, or undefined when it does not exist. */
export async function remoteDigest(run: RunCommand, ref: string): Promise<string | undefined> {
  const result = await run("docker", [
    "buildx",
    "imagetools",
    "inspect",
    "--format",
    "{{json .Manifest}}",
    ref,
  ]);
  if (result.code !== 0) {
    if (NOT_FOUND.test(result.stderr)) return undefined;
    throw new Error(`docker buildx imagetools inspect ${ref} failed: ${result.stderr.trim()}`);
  }
  let descriptor: { digest?: unknown };
  try {
    descriptor = JSON.parse(result.stdout) as { digest?: unknown };
  } catch {
    throw new Error(`unexpected inspect output for ${ref}: ${result.stdout.trim()}`);
  }
  if (typeof descriptor.digest !== "string") {
    throw new Error(`inspect output for ${ref} has no digest: ${result.stdout.trim()}`);
  }
  return descriptor.digest;
}

export interface PromoteRequest {
  /** The image that passed dev: `<dev repository>@sha256:…`. */
  source: string;
  /** The target stack's repository URL. */
  targetRepository: string;
  /** Tag to give it there (the commit SHA): ECR tags are immutable, so a re-run reuses it. */
  tag: string;
}

/**
 * Copies an image between registries byte for byte (`docker buildx imagetools create` with one
 * source copies the manifest unchanged; no rebuild, no layer download to the runner) and proves the
 * digest is unchanged. Safe to re-run: a tag that already holds the same digest is left alone; one
 * that holds another digest is an error. Returns `<targetRepository>@<digest>`.
 */
export async function promoteImage(run: RunCommand, request: PromoteRequest): Promise<string> {
  const source = parseDigestRef(request.source);
  const target = taggedRef(request.targetRepository, request.tag);

  const existing = await remoteDigest(run, target);
  if (existing !== undefined && existing !== source.digest) {
    throw new Error(
      `${target} already holds ${existing}, not ${source.digest}; refusing to promote`,
    );
  }
  if (existing === undefined) {
    const copy = await run("docker", [
      "buildx",
      "imagetools",
      "create",
      "--tag",
      target,
      request.source,
    ]);
    if (copy.code !== 0) {
      throw new Error(`copying ${request.source} to ${target} failed: ${copy.stderr.trim()}`);
    }
    const copied = await remoteDigest(run, target);
    if (copied !== source.digest) {
      throw new Error(
        `${target} resolves to ${copied ?? "nothing"} after the copy, expected ${source.digest}`,
      );
    }
  }
  return digestRef(request.targetRepository, source.digest);
}
