/** Image references as the pipeline passes them around: always pinned by digest, never by tag. */
const DIGEST = /^sha256:[0-9a-f]{64}$/;
const REPOSITORY = /^[a-z0-9.-]+(:[0-9]+)?\/[a-z0-9._/-]+$/;
const TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;

export interface DigestRef {
  repository: string;
  digest: string;
}

export class ImageRefError extends Error {
  override readonly name = "ImageRefError";
}

export function parseDigestRef(ref: string): DigestRef {
  const at = ref.indexOf("@");
  const repository = at === -1 ? "" : ref.slice(0, at);
  const digest = at === -1 ? "" : ref.slice(at + 1);
  if (!REPOSITORY.test(repository) || !DIGEST.test(digest)) {
    throw new ImageRefError(`not a digest reference (<repository>@sha256:<64 hex>): "${ref}"`);
  }
  return { repository, digest };
}

/** `<repositoryUrl>@<digest>`, the form `picus:image` expects. */
export function digestRef(repositoryUrl: string, digest: string): string {
  return formatRef(parseDigestRef(`${repositoryUrl}@${digest}`));
}

export function formatRef({ repository, digest }: DigestRef): string {
  return `${repository}@${digest}`;
}

export function taggedRef(repositoryUrl: string, tag: string): string {
  if (!REPOSITORY.test(repositoryUrl))
    throw new ImageRefError(`not a repository: "${repositoryUrl}"`);
  if (!TAG.test(tag)) throw new ImageRefError(`not a valid image tag: "${tag}"`);
  return `${repositoryUrl}:${tag}`;
}

/** Docker platforms for the stacks' `picus:cpuArchitecture` values (ECS names), deduplicated. */
export function platformsFor(architectures: readonly string[]): string {
  const platforms = architectures.map((architecture) => {
    if (architecture === "ARM64") return "linux/arm64";
    if (architecture === "X86_64") return "linux/amd64";
    throw new ImageRefError(`unknown CPU architecture "${architecture}" (ARM64 or X86_64)`);
  });
  if (platforms.length === 0) throw new ImageRefError("no CPU architecture given");
  return [...new Set(platforms)].sort().join(",");
}
