import { promoteImage, remoteDigest, type CommandResult, type RunCommand } from "./promote-image";

const DEV = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/registry-repo-dev1";
const PROD = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/registry-repo-prod1";
const DIGEST = `sha256:${"c".repeat(64)}`;
const OTHER = `sha256:${"d".repeat(64)}`;
const SOURCE = `${DEV}@${DIGEST}`;

/** A registry of tag → digest behind a fake `crane`. */
function fakeCrane(
  tags: Map<string, string>,
  options: { copyDigest?: string; copyFails?: boolean } = {},
) {
  const calls: string[][] = [];
  const run: RunCommand = (command, args) => {
    calls.push([command, ...args]);
    const ok = (stdout: string): Promise<CommandResult> =>
      Promise.resolve({ code: 0, stdout, stderr: "" });
    if (args[0] === "digest") {
      const digest = tags.get(args[1]);
      return digest === undefined
        ? Promise.resolve({
            code: 1,
            stdout: "",
            stderr: `Error: fetching manifest ${args[1]}: MANIFEST_UNKNOWN: manifest unknown`,
          })
        : ok(`${digest}\n`);
    }
    if (options.copyFails) {
      return Promise.resolve({ code: 1, stdout: "", stderr: "denied: no push" });
    }
    tags.set(args[2], options.copyDigest ?? DIGEST);
    return ok("");
  };
  return { run, calls };
}

describe("promoteImage", () => {
  it("copies the digest under the tag and returns the digest reference in the target", async () => {
    const tags = new Map<string, string>();
    const { run, calls } = fakeCrane(tags);

    const promoted = await promoteImage(run, {
      source: SOURCE,
      targetRepository: PROD,
      tag: "abc123",
    });

    expect(promoted).toBe(`${PROD}@${DIGEST}`);
    expect(calls).toContainEqual(["crane", "copy", SOURCE, `${PROD}:abc123`]);
  });

  it("is a no-op on re-run when the tag already holds the same digest", async () => {
    const { run, calls } = fakeCrane(new Map([[`${PROD}:abc123`, DIGEST]]));

    await expect(
      promoteImage(run, { source: SOURCE, targetRepository: PROD, tag: "abc123" }),
    ).resolves.toBe(`${PROD}@${DIGEST}`);
    expect(calls.some((call) => call.includes("copy"))).toBe(false);
  });

  it("refuses to reuse a tag that holds another image", async () => {
    const { run } = fakeCrane(new Map([[`${PROD}:abc123`, OTHER]]));

    await expect(
      promoteImage(run, { source: SOURCE, targetRepository: PROD, tag: "abc123" }),
    ).rejects.toThrow(`${PROD}:abc123 already holds ${OTHER}, not ${DIGEST}; refusing to promote`);
  });

  it("fails when the copy changed the digest (a rebuild or re-encoding is never accepted)", async () => {
    const { run } = fakeCrane(new Map(), { copyDigest: OTHER });

    await expect(
      promoteImage(run, { source: SOURCE, targetRepository: PROD, tag: "abc123" }),
    ).rejects.toThrow(`resolves to ${OTHER} after the copy, expected ${DIGEST}`);
  });

  it("reports a failed copy with crane's message", async () => {
    const { run } = fakeCrane(new Map(), { copyFails: true });

    await expect(
      promoteImage(run, { source: SOURCE, targetRepository: PROD, tag: "abc123" }),
    ).rejects.toThrow("failed: denied: no push");
  });

  it("rejects a source that is not pinned by digest before touching any registry", async () => {
    const { run, calls } = fakeCrane(new Map());

    await expect(
      promoteImage(run, { source: `${DEV}:abc123`, targetRepository: PROD, tag: "abc123" }),
    ).rejects.toThrow("not a digest reference");
    expect(calls).toEqual([]);
  });
});

describe("remoteDigest", () => {
  it("surfaces registry errors other than not-found", async () => {
    const run: RunCommand = () =>
      Promise.resolve({ code: 1, stdout: "", stderr: "no basic auth credentials" });

    await expect(remoteDigest(run, `${PROD}:x`)).rejects.toThrow("no basic auth credentials");
  });

  it("rejects output that is not a digest", async () => {
    const run: RunCommand = () => Promise.resolve({ code: 0, stdout: "{}", stderr: "" });

    await expect(remoteDigest(run, `${PROD}:x`)).rejects.toThrow("unexpected digest for");
  });
});
