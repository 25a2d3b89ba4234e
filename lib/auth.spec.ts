import { setTimeout as sleep } from "node:timers/promises";
import { createAuthorizer } from "./auth";
import { ForbiddenError, IssuerUnavailableError, UnauthorizedError } from "./errors";
import { REFUSED_TOKEN_KINDS, refusedTokens, testAuthSettings, testIssuer } from "./testing/issuer";

describe("createAuthorizer", () => {
  it("accepts a token with the scope, again from memory, and refuses it once expired", async () => {
    // Prepare
    const authorize = createAuthorizer(await testAuthSettings());
    const token = (await testIssuer()).sign(["picus/read"], { ttlSeconds: 1 });

    // Act & Assess
    await expect(authorize(`Bearer ${token}`, "picus/read")).resolves.toBeUndefined();
    await expect(authorize(`bearer ${token}`, "picus/read")).resolves.toBeUndefined();
    await expect(authorize(`Bearer ${token}`, "picus/write")).rejects.toBeInstanceOf(
      ForbiddenError,
    );
    await sleep(1100);
    await expect(authorize(`Bearer ${token}`, "picus/read")).rejects.toBeInstanceOf(
      UnauthorizedError,
    );
  });

  it.each(REFUSED_TOKEN_KINDS)("refuses a token that is %s with 401", async (kind) => {
    const authorize = createAuthorizer(await testAuthSettings());
    const token = refusedTokens(await testIssuer())[kind];
    await expect(authorize(`Bearer ${token}`, "picus/read")).rejects.toBeInstanceOf(
      UnauthorizedError,
    );
  });

  it("answers 503, not 401, when the issuer's keys cannot be fetched", async () => {
    const settings = await testAuthSettings();
    const authorize = createAuthorizer({ ...settings, jwksUri: "http://127.0.0.1:9/jwks.json" });
    const token = (await testIssuer()).sign(["picus/read"]);
    await expect(authorize(`Bearer ${token}`, "picus/read")).rejects.toBeInstanceOf(
      IssuerUnavailableError,
    );
  });
});
