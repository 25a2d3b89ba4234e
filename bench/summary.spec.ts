import {
  check,
  formatTable,
  median,
  pairedRatio,
  percentile,
  ratio,
  summarise,
  type RunSample,
} from "./summary";

function sample(overrides: Partial<RunSample>): RunSample {
  return {
    target: "bare",
    scenario: "get",
    round: 1,
    requestsPerSec: 1000,
    p50Ms: 2,
    p99Ms: 8,
    ok: 4000,
    non2xx: 0,
    errors: 0,
    durationSec: 4,
    serverCpuMsPerRequest: 0.25,
    foreignCpuPct: 0,
    ...overrides,
  };
}

describe("median", () => {
  it("takes the middle value, or the mean of the two middle values", () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });

  it("refuses an empty list", () => {
    expect(() => median([])).toThrow("no values");
  });
});

describe("percentile", () => {
  const sorted = Array.from({ length: 100 }, (_, index) => index + 1);

  it("uses the nearest rank", () => {
    expect(percentile(sorted, 50)).toBe(50);
    expect(percentile(sorted, 99)).toBe(99);
    expect(percentile(sorted, 100)).toBe(100);
    expect(percentile([7], 99)).toBe(7);
  });

  it("is NaN without values", () => {
    expect(percentile([], 50)).toBeNaN();
  });
});

describe("ratio", () => {
  it("divides, and is NaN for a zero denominator", () => {
    expect(ratio(850, 1000)).toBeCloseTo(0.85);
    expect(ratio(1, 0)).toBeNaN();
  });
});

describe("summarise", () => {
  it("takes medians per target and scenario and adds up failures", () => {
    const summaries = summarise([
      sample({ round: 1, requestsPerSec: 900, p99Ms: 10, non2xx: 1 }),
      sample({ round: 2, requestsPerSec: 1100, p99Ms: 6 }),
      sample({ round: 3, requestsPerSec: 1000, p99Ms: 8, errors: 2 }),
      sample({ target: "nest", requestsPerSec: 500 }),
    ]);

    expect(summaries).toHaveLength(2);
    expect(summaries[0]).toMatchObject({
      target: "bare",
      scenario: "get",
      runs: 3,
      requestsPerSec: 1000,
      minRequestsPerSec: 900,
      maxRequestsPerSec: 1100,
      p99Ms: 8,
      non2xx: 1,
      errors: 2,
    });
    expect(summaries[1]).toMatchObject({ target: "nest", runs: 1, requestsPerSec: 500 });
  });
});

describe("pairedRatio", () => {
  it("takes the median of ratios within each round", () => {
    const samples = [
      sample({ round: 1, target: "nest", requestsPerSec: 800 }),
      sample({ round: 1, target: "bare", requestsPerSec: 1000 }),
      sample({ round: 2, target: "nest", requestsPerSec: 450 }),
      sample({ round: 2, target: "bare", requestsPerSec: 500 }),
      sample({ round: 3, target: "nest", requestsPerSec: 1700 }),
      sample({ round: 3, target: "bare", requestsPerSec: 2000 }),
      sample({ round: 3, target: "nest", scenario: "put", requestsPerSec: 1 }),
    ];

    const throughput = pairedRatio(samples, "get", "nest", "bare", (s) => s.requestsPerSec);

    expect(throughput).toBeCloseTo(0.85);
  });

  it("is NaN when no round has both targets", () => {
    const samples = [sample({ round: 1, target: "nest" }), sample({ round: 2, target: "bare" })];

    expect(pairedRatio(samples, "get", "nest", "bare", (s) => s.requestsPerSec)).toBeNaN();
  });
});

describe("check", () => {
  it("passes or misses against a lower or an upper limit", () => {
    expect(check("throughput", 0.9, "atLeast", 0.85).verdict).toBe("PASS");
    expect(check("throughput", 0.8, "atLeast", 0.85).verdict).toBe("MISS");
    expect(check("healthy", 400, "below", 1500).verdict).toBe("PASS");
    expect(check("healthy", 1500, "below", 1500).verdict).toBe("MISS");
  });

  it("misses when nothing was measured", () => {
    expect(check("throughput", Number.NaN, "atLeast", 0.85).verdict).toBe("MISS");
  });
});

describe("formatTable", () => {
  it("pads the first column left and the others right", () => {
    const table = formatTable(
      ["server", "req/s"],
      [
        ["bare", "1000"],
        ["nest(warn)", "850"],
      ],
    );

    expect(table.split("\n")).toEqual([
      "server      req/s",
      "----------  -----",
      "bare         1000",
      "nest(warn)    850",
    ]);
  });
});
