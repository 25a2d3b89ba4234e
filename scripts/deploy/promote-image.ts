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

const NOT_FOUND = /MANIFEST_UNKNOWN|manifest unknown|NAME_UNKNOWN|not found/i;

/** The digest a reference resolves to in its registry (`crane digest`), or undefined if absent. */
export async function remoteDigest(run: RunCommand, ref: string): Promise<string | undefined> {
  const result = await run("crane", ["digest", ref]);
  if (result.code !== 0) {
    if (NOT_FOUND.test(result.stderr)) return undefined;
    throw new Error(`crane digest ${ref} failed: ${result.stderr.trim()}`);
  }
  const digest = result.stdout.trim();
  if (!/^sha256:[0-9a-f]{64}$/.test(digest)) {
    throw new Error(`unexpected digest for ${ref}: "${digest}"`);
  }
  return digest;
}

export interface PromoteRequest {
  /** The image that passed dev: `<dev repository>@sha256:…`. */
  source: string;
  targetRepository: string;
  /** The commit SHA: ECR tags are immutable, so a re-run finds it already there. */
  tag: string;
}

/**
 * Copies an image between repositories with `crane copy` (manifest verbatim, layers streamed: no
 * rebuild, no re-encoding) and proves the digest is unchanged. A re-run leaves a tag that already
 * holds the same digest alone; a tag holding another digest is an error. Returns
 * `<targetRepository>@<digest>`.
 */
export async function promoteImage(run: RunCommand, request: PromoteRequest): Promise<string> {
  const { digest } = parseDigestRef(request.source);
  const target = taggedRef(request.targetRepository, request.tag);
  const existing = await remoteDigest(run, target);
  if (existing !== undefined && existing !== digest) {
    throw new Error(`${target} already holds ${existing}, not ${digest}; refusing to promote`);
  }
  if (existing === undefined) {
    const copy = await run("crane", ["copy", request.source, target]);
    if (copy.code !== 0) {
      throw new Error(`copying ${request.source} to ${target} failed: ${copy.stderr.trim()}`);
    }
    const copied = await remoteDigest(run, target);
    if (copied !== digest) {
      throw new Error(
        `${target} resolves to ${copied ?? "nothing"} after the copy, expected ${digest}`,
      );
    }
  }
  return digestRef(request.targetRepository, digest);
}
