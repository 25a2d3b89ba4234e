import { createLogger } from "./logger";

describe("createLogger", () => {
  it("writes one JSON object per line in pino's shape", () => {
    // Prepare
    const lines: string[] = [];
    const logger = createLogger("info", (line) => lines.push(line));

    // Act
    logger.info("request completed", { reqId: "abc", statusCode: 204 });

    // Assess
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/\n$/);
    expect(JSON.parse(lines[0])).toEqual({
      level: 30,
      time: expect.any(Number),
      msg: "request completed",
      reqId: "abc",
      statusCode: 204,
    });
  });

  it("drops lines below the minimum level", () => {
    // Prepare
    const lines: string[] = [];
    const logger = createLogger("warn", (line) => lines.push(line));

    // Act
    logger.info("quiet", {});
    logger.warn("loud", {});
    logger.error("louder", {});

    // Assess
    expect(lines.map((line) => (JSON.parse(line) as { msg: string }).msg)).toEqual([
      "loud",
      "louder",
    ]);
  });

  it("writes nothing when silent", () => {
    // Prepare
    const lines: string[] = [];
    const logger = createLogger("silent", (line) => lines.push(line));

    // Act
    logger.error("ignored", {});

    // Assess
    expect(lines).toEqual([]);
  });
});
