import { MAX_LIST_LIMIT } from "../src/items/list-cursor";
import { startStack, type TestApp } from "./test-app";

/** More than DynamoDB's 1 MB Scan page: 48 items of ~30 KB plus 40 small ones. */
const LARGE_ITEMS = 48;
const SMALL_ITEMS = 40;

describe("GET /picus/list across more than 1 MB of items", () => {
  let stack: TestApp;
  const expected = new Map<string, unknown>();

  beforeAll(async () => {
    stack = await startStack();
    const bodies = [
      ...Array.from({ length: LARGE_ITEMS }, (_, i) => ({ i, blob: "x".repeat(30 * 1024) })),
      ...Array.from({ length: SMALL_ITEMS }, (_, i) => ({ i: LARGE_ITEMS + i })),
    ];
    for (let start = 0; start < bodies.length; start += 16) {
      const batch = bodies.slice(start, start + 16);
      const responses = await Promise.all(
        batch.map((body) => stack.api.post("/picus/put").send(body).expect(201)),
      );
      responses.forEach((response, index) => expected.set(response.body.key, batch[index]));
    }
  });

  afterAll(async () => {
    await stack.close();
  });

  async function listAll(limit?: number): Promise<{ keys: string[]; pages: number }> {
    const keys: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const params = new URLSearchParams();
      if (limit !== undefined) params.set("limit", String(limit));
      if (cursor !== null) params.set("cursor", cursor);
      const response = await stack.api.get(`/picus/list?${params.toString()}`);
      expect(response.status).toBe(200);
      expect(response.body.items.length).toBeLessThanOrEqual(limit ?? 25);
      // A page never comes back empty: an exactly full last page carries no cursor.
      expect(response.body.items.length).toBeGreaterThan(0);
      for (const item of response.body.items) {
        expect(item.data).toEqual(expected.get(item.key));
        keys.push(item.key);
      }
      cursor = response.body.nextCursor;
      pages++;
    } while (cursor !== null);
    return { keys, pages };
  }

  it("stops a page at DynamoDB's 1 MB Scan page and hands out a cursor", async () => {
    const response = await stack.api.get(`/picus/list?limit=${MAX_LIST_LIMIT}`);
    expect(response.status).toBe(200);
    expect(response.body.items.length).toBeLessThan(LARGE_ITEMS + SMALL_ITEMS);
    expect(response.text.length).toBeLessThan(1.1 * 1024 * 1024);
    expect(response.body.nextCursor).toEqual(expect.any(String));
  });

  it.each([undefined, 1, 7, 33, MAX_LIST_LIMIT])(
    "with limit %s, following nextCursor returns every item exactly once",
    async (limit) => {
      const { keys, pages } = await listAll(limit);
      expect(keys).toHaveLength(expected.size);
      expect(new Set(keys)).toEqual(new Set(expected.keys()));
      expect(pages).toBeGreaterThanOrEqual(Math.ceil(expected.size / (limit ?? 25)));
    },
  );
});
