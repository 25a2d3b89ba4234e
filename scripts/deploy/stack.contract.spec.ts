import { runStack } from "../../infra/testing/run-stack";
import { repositoryTargets } from "./stack";

/**
 * The targeted first `pulumi up` names resources of the infra program by URN; this runs the real
 * program under mocks and checks that every targeted URN is one the program declares.
 */
describe("repository targets against the real program", () => {
  it("name resources that infra/index.ts declares", async () => {
    const run = await runStack("dev", () => import("../../infra/index"));
    const urns = new Set(run.resources.map((resource) => resource.urn));

    for (const target of repositoryTargets("picus", "dev")) expect(urns).toContain(target);
  });
});
