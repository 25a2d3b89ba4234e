/** Image references as the pipeline passes them around: always pinned by digest, never by tag. */
const REPOSITORY = "[a-z0-9.-]+(?::[0-9]+)?/[a-z0-9._/-]+";
const IS_REPOSITORY = new RegExp(`^${REPOSITORY}$`);
const DIGEST_REF = new RegExp(`^(${REPOSITORY})@(sha256:[0-9a-f]{64})$`);
const TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;

export function parseDigestRef(ref: string): { repository: string; digest: string } {
  const match = DIGEST_REF.exec(ref);
  if (match === null) {
    throw new Error(`not a digest reference (<repository>@sha256:<64 hex>): "${ref}"`);
  }
  return { repository: match[1], digest: match[2] };
}

/** `<repositoryUrl>@<digest>`, the form `picus:image` expects. */
export function digestRef(repositoryUrl: string, digest: string): string {
  const ref = `${repositoryUrl}@${digest}`;
  parseDigestRef(ref);
  return ref;
}

export function taggedRef(repositoryUrl: string, tag: string): string {
  if (!IS_REPOSITORY.test(repositoryUrl)) throw new Error(`not a repository: "${repositoryUrl}"`);
  if (!TAG.test(tag)) throw new Error(`not a valid image tag: "${tag}"`);
  return `${repositoryUrl}:${tag}`;
}

/** Docker platforms for the stacks' `picus:cpuArchitecture` values (ECS names), deduplicated. */
export function platformsFor(architectures: readonly string[]): string {
  if (architectures.length === 0) throw new Error("no CPU architecture given");
  const platforms = architectures.map((architecture) => {
    if (architecture === "ARM64") return "linux/arm64";
    if (architecture === "X86_64") return "linux/amd64";
    throw new Error(`unknown CPU architecture "${architecture}" (ARM64 or X86_64)`);
  });
  return [...new Set(platforms)].sort().join(",");
}
