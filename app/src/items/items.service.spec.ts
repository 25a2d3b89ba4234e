import {
  IdempotencyKeyReusedError,
  ItemTooLargeError,
  StoreUnavailableError,
} from "../../../lib/errors";
import { parseItemKey } from "../../../lib/item-key";
import { encodeCursor } from "./list-cursor";
import type { StoredItem } from "../../../lib/table";
import { ItemKeyConflictError, ItemsRepository } from "./items.repository";
import { itemKeyFor, ItemsService } from "./items.service";

const ID = "3f1c2a0e-5b6d-4e7f-8a9b-0c1d2e3f4a5b";
const NEXT = "9a7c2a0e-5b6d-4e7f-8a9b-0c1d2e3f4a5b";

function createRepository(): jest.Mocked<ItemsRepository> {
  return { create: jest.fn(), findById: jest.fn(), list: jest.fn() };
}

describe("ItemsService", () => {
  let repository: jest.Mocked<ItemsRepository>;
  let service: ItemsService;

  beforeEach(() => {
    repository = createRepository();
    service = new ItemsService(repository);
  });

  it("stores new items under a fresh UUID v4 with a creation time", async () => {
    repository.create.mockResolvedValue();
    const key = await service.create({ a: 1 });
    expect(key).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    const [item] = repository.create.mock.calls[0];
    expect(item).toEqual({ id: key, data: { a: 1 }, createdAt: expect.any(String) });
    expect(new Date(item.createdAt).toISOString()).toBe(item.createdAt);
  });

  it("draws a new key when the store already has one, a bounded number of times", async () => {
    repository.create
      .mockRejectedValueOnce(new ItemKeyConflictError("taken"))
      .mockResolvedValueOnce();
    const key = await service.create({ a: 1 });
    expect(repository.create).toHaveBeenCalledTimes(2);
    expect(key).toBe(repository.create.mock.calls[1][0].id);

    repository.create.mockReset().mockRejectedValue(new ItemKeyConflictError("taken"));
    await expect(service.create({ a: 1 })).rejects.toBeInstanceOf(ItemKeyConflictError);
    expect(repository.create).toHaveBeenCalledTimes(3);
  });

  it("rejects objects too large for one item without calling the store", async () => {
    await expect(service.create({ s: "x".repeat(410 * 1024) })).rejects.toBeInstanceOf(
      ItemTooLargeError,
    );
    expect(repository.create).not.toHaveBeenCalled();
  });

  it("returns items in the API's shape, or undefined", async () => {
    repository.findById.mockResolvedValueOnce({ id: ID, data: { a: 1 }, createdAt: "t" });
    await expect(service.get(ID)).resolves.toEqual({ key: ID, data: { a: 1 }, createdAt: "t" });
    repository.findById.mockResolvedValueOnce(undefined);
    await expect(service.get(ID)).resolves.toBeUndefined();
  });

  it("turns cursors into positions and back", async () => {
    repository.list.mockResolvedValueOnce({
      items: [{ id: NEXT, data: {}, createdAt: "t" }],
      next: { id: NEXT },
    });
    const page = await service.list(1, encodeCursor({ id: ID }));
    expect(repository.list).toHaveBeenCalledWith(1, { id: ID });
    expect(page).toEqual({
      items: [{ key: NEXT, data: {}, createdAt: "t" }],
      nextCursor: encodeCursor({ id: NEXT }),
    });

    repository.list.mockResolvedValueOnce({ items: [] });
    await expect(service.list(5)).resolves.toEqual({ items: [], nextCursor: null });
    expect(repository.list).toHaveBeenLastCalledWith(5, undefined);
  });

  it("derives one UUID v4 item key per Idempotency-Key", () => {
    expect(parseItemKey(itemKeyFor("order-1"))).toBe(itemKeyFor("order-1"));
    expect(itemKeyFor("order-1")).not.toBe(itemKeyFor("order-2"));
  });

  it("answers a retry after a 503 whose put was stored with the stored item's key", async () => {
    // The first put reached the store but its answer did not reach us.
    const stored: StoredItem[] = [];
    repository.create.mockImplementationOnce((item) => {
      stored.push(item);
      return Promise.reject(new StoreUnavailableError(new Error("timed out")));
    });
    await expect(service.create({ a: 1 }, "retry-me")).rejects.toBeInstanceOf(
      StoreUnavailableError,
    );

    repository.create.mockRejectedValueOnce(new ItemKeyConflictError("taken"));
    repository.findById.mockResolvedValueOnce(stored[0]);
    await expect(service.create({ a: 1 }, "retry-me")).resolves.toBe(stored[0]?.id);

    repository.create.mockRejectedValueOnce(new ItemKeyConflictError("taken"));
    repository.findById.mockResolvedValueOnce(stored[0]);
    await expect(service.create({ a: 2 }, "retry-me")).rejects.toBeInstanceOf(
      IdempotencyKeyReusedError,
    );
  });
});
