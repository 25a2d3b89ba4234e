import {
  InvalidItemKey,
  ItemNotFound,
  MethodNotAllowed,
  StoreUnavailable,
  toErrorResponse,
} from "./errors";

describe("toErrorResponse", () => {
  it.each([
    [new InvalidItemKey("bad key"), 400],
    [new ItemNotFound("no item"), 404],
    [new MethodNotAllowed("use DELETE"), 405],
    [new StoreUnavailable("retry later"), 503],
  ])("maps %s to %i with its message", (error, statusCode) => {
    // Act
    const response = toErrorResponse(error);

    // Assess
    expect(response).toMatchObject({ statusCode, message: error.message });
  });

  it("tells a 405 which method is allowed", () => {
    // Act
    const response = toErrorResponse(new MethodNotAllowed("use DELETE"));

    // Assess
    expect(response.headers).toEqual({ allow: "DELETE" });
  });

  it.each([new Error("secret connection string"), "a string", undefined])(
    "answers anything else with a 500 that does not leak details (%s)",
    (error) => {
      // Act
      const response = toErrorResponse(error);

      // Assess
      expect(response).toEqual({
        statusCode: 500,
        message: "The item could not be deleted because of an internal error",
      });
    },
  );
});
