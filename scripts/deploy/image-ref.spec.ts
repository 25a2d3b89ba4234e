import { digestRef, parseDigestRef, platformsFor, taggedRef } from "./image-ref";

const REPO = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/registry-repo-1a2b3c";
const DIGEST = `sha256:${"ab".repeat(32)}`;

describe("image references", () => {
  it("parses a digest reference", () => {
    expect(parseDigestRef(`${REPO}@${DIGEST}`)).toEqual({ repository: REPO, digest: DIGEST });
  });

  it.each([
    `${REPO}:latest`,
    `${REPO}@sha256:short`,
    `${REPO}@${DIGEST.toUpperCase()}`,
    `@${DIGEST}`,
    `registry-repo@${DIGEST}`,
    "",
  ])("rejects %j, which is not pinned by a full digest", (ref) => {
    expect(() => parseDigestRef(ref)).toThrow("not a digest reference");
  });

  it("builds the picus:image value from a repository URL and a digest", () => {
    expect(digestRef(REPO, DIGEST)).toBe(`${REPO}@${DIGEST}`);
    expect(() => digestRef(REPO, "")).toThrow("not a digest reference");
  });

  it("builds a tagged reference and validates the tag", () => {
    expect(taggedRef(REPO, "0123abc")).toBe(`${REPO}:0123abc`);
    expect(() => taggedRef(REPO, "bad tag")).toThrow('not a valid image tag: "bad tag"');
    expect(() => taggedRef("not a repo", "x")).toThrow("not a repository");
  });

  it("maps ECS CPU architectures to docker platforms, once each", () => {
    expect(platformsFor(["ARM64", "ARM64"])).toBe("linux/arm64");
    expect(platformsFor(["X86_64", "ARM64"])).toBe("linux/amd64,linux/arm64");
    expect(() => platformsFor(["MIPS"])).toThrow('unknown CPU architecture "MIPS"');
    expect(() => platformsFor([])).toThrow("no CPU architecture given");
  });
});
