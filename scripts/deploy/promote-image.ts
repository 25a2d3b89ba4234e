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
const DIGEST = /^sha256:[0-9a-f]{64}$/;

/** The digest a reference resolves to in its registry (`crane digest`), or undefined if absent. */
export async function remoteDigest(run: RunCommand, ref: string): Promise<string | undefined> {
  const result = await run("crane", ["digest", ref]);
  if (result.code !== 0) {
    if (NOT_FOUND.test(result.stderr)) return undefined;
    throw new Error(`crane digest ${ref} failed: ${result.stderr.trim()}`);
  }
  const digest = result.stdout.trim();
  if (!DIGEST.test(digest)) throw new Error(`unexpected digest for ${ref}: "${digest}"`);
  return digest;
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
 * Copies an image between repositories byte for byte with `crane copy` (the manifest is copied
 * verbatim and layers are streamed registry to registry: no rebuild, no re-compression) and proves
 * the digest is unchanged. (`docker buildx imagetools create` is not used: given a single-platform
 * manifest it writes a new manifest list around it, which changes the digest.) Safe to re-run: a tag that already holds the same digest is left alone; one
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
    const copy = await run("crane", ["copy", request.source, target]);
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
