import { createLogger } from "./logger";

describe("createLogger", () => {
  it("writes one JSON object per line with level, time and message", () => {
    // Prepare
    const lines: string[] = [];
    const logger = createLogger("info", (line) => lines.push(line));

    // Act
    logger.info("request completed", { requestId: "abc", statusCode: 204 });

    // Assess
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/\n$/);
    expect(JSON.parse(lines[0])).toEqual({
      level: "info",
      time: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      msg: "request completed",
      requestId: "abc",
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
