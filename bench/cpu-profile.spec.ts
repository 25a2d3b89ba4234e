import { packageOf, summariseProfile, type CpuProfile } from "./cpu-profile";

describe("packageOf", () => {
  it("names npm packages, scoped ones included, Node's own code and the app", () => {
    expect(packageOf("file:///w/node_modules/pino-http/logger.js")).toBe("pino-http");
    expect(packageOf("file:///w/node_modules/@nestjs/core/router/x.js")).toBe("@nestjs/core");
    expect(packageOf("file:///w/node_modules/a/node_modules/b/index.js")).toBe("b");
    expect(packageOf("node:internal/streams/writable")).toBe("node:internal");
    expect(packageOf("file:///w/dist/app/src/main.js")).toBe("(app)");
    expect(packageOf("")).toBe("(native)");
  });
});

describe("summariseProfile", () => {
  const frame = (functionName: string, url = "") => ({ functionName, url, lineNumber: 0 });
  const profile: CpuProfile = {
    nodes: [
      { id: 1, callFrame: frame("(root)"), children: [2, 5] },
      { id: 2, callFrame: frame("handle", "file:///w/node_modules/express/a.js"), children: [3] },
      { id: 3, callFrame: frame("log", "file:///w/node_modules/pino/b.js"), children: [4] },
      { id: 4, callFrame: frame("handle", "file:///w/node_modules/express/a.js") },
      { id: 5, callFrame: frame("(idle)") },
    ],
    samples: [2, 3, 4, 5],
    timeDeltas: [1000, 2000, 3000, 4000],
  };

  it("adds self time by package and inclusive time once per sample, recursion included", () => {
    const summary = summariseProfile(profile);

    expect(summary.totalMs).toBe(10);
    expect(summary.idleMs).toBe(4);
    expect(summary.selfByPackage).toEqual([
      { name: "express", ms: 4, pct: 40 },
      { name: "pino", ms: 2, pct: 20 },
    ]);
    expect(summary.inclusiveByFunction[0]).toEqual({
      name: "handle express/a.js:1",
      ms: 6,
      pct: 60,
    });
  });
});
