import { parseProcessTicks, parseSystemBusyTicks, usageBetween } from "./cpu";

describe("parseProcessTicks", () => {
  it("adds utime and stime, even when the command name has spaces and parentheses", () => {
    const stat =
      "4242 (node (bench) x) S 1 4242 4242 0 -1 4194304 900 0 0 0 1234 56 0 0 20 0 11 0 100 0 0";

    expect(parseProcessTicks(stat)).toBe(1234 + 56);
  });
});

describe("parseSystemBusyTicks", () => {
  it("counts everything but idle and iowait", () => {
    const stat = "cpu  100 5 50 9000 30 2 3 7 0 0\ncpu0 50 2 25 4500 15 1 1 3 0 0\n";

    expect(parseSystemBusyTicks(stat)).toBe(100 + 5 + 50 + 2 + 3 + 7);
  });
});

describe("usageBetween", () => {
  it("splits the machine's busy time into the watched processes and the rest", () => {
    const before = { system: 1000, byPid: new Map([[1, 100]]) };
    const after = { system: 1300, byPid: new Map([[1, 250]]) };

    const usage = usageBetween(before, after);

    expect(usage.secondsByPid.get(1)).toBeCloseTo(1.5);
    expect(usage.foreignSeconds).toBeCloseTo(1.5);
  });
});
