import {
  Body,
  Controller,
  Get,
  Headers,
  HttpCode,
  HttpStatus,
  Param,
  Post,
  Query,
  Res,
} from "@nestjs/common";
import {
  ApiBody,
  ApiConsumes,
  ApiCreatedResponse,
  ApiHeader,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiQuery,
  ApiResponse,
  ApiTags,
} from "@nestjs/swagger";
import type { Response } from "express";
import { z } from "zod";
import { ItemNotFoundError } from "../../../lib/errors";
import { ITEM_KEY_SCHEMA } from "../../../lib/item-key";
import { API_PREFIX } from "../../../lib/routes";
import { ErrorBodyDto } from "../common/error-body.dto";
import { QueryPipe } from "../common/query.pipe";
import { CreatedItemDto, ITEM_DATA_SCHEMA, ItemDto, ItemListDto } from "./dto/item.dto";
import type { ItemData } from "./item-data";
import { ItemsService } from "./items.service";
import {
  DEFAULT_LIST_LIMIT,
  listItemsQuery,
  MAX_CURSOR_LENGTH,
  MAX_LIST_LIMIT,
} from "./list-cursor";
import { ParseItemDataPipe } from "./parse-item-data.pipe";
import {
  IDEMPOTENCY_KEY_HEADER,
  IDEMPOTENCY_KEY_PATTERN,
  parseIdempotencyKey,
  ParseItemKeyPipe,
} from "./parse-item-key.pipe";

/** Put and get take no query parameters; any is a 400. */
const noQuery = new QueryPipe(z.object({}));

const error = (status: number, description: string) =>
  ApiResponse({ status, description, type: ErrorBodyDto });

@ApiTags("items")
@Controller(API_PREFIX)
@error(HttpStatus.SERVICE_UNAVAILABLE, "DynamoDB is unreachable, timing out or throttling")
export class ItemsController {
  constructor(private readonly items: ItemsService) {}

  @Post("put")
  @HttpCode(HttpStatus.CREATED)
  @ApiOperation({ operationId: "putItem", summary: "Store a JSON object under a new key" })
  @ApiConsumes("application/json")
  @ApiBody({ schema: ITEM_DATA_SCHEMA })
  @ApiCreatedResponse({
    type: CreatedItemDto,
    description: "Stored",
    headers: { Location: { description: "/picus/get/{key}", schema: { type: "string" } } },
  })
  @error(HttpStatus.BAD_REQUEST, "The body is empty, malformed or not a JSON object")
  @ApiHeader({
    name: IDEMPOTENCY_KEY_HEADER,
    required: false,
    schema: { type: "string", pattern: IDEMPOTENCY_KEY_PATTERN },
    description:
      "A key of the client's choosing (a UUID, say). A put sent again with the same key and body " +
      "returns the first one's key and stores nothing new; without it, a 503 leaves the outcome " +
      "unknown, and a retry may store the object twice.",
  })
  @error(HttpStatus.CONFLICT, "The Idempotency-Key was used with another body")
  @error(HttpStatus.PAYLOAD_TOO_LARGE, "The object does not fit one DynamoDB item (400 KB)")
  @error(
    HttpStatus.UNSUPPORTED_MEDIA_TYPE,
    "The body is not JSON (application/json or application/*+json) in UTF-8, or its " +
      "Content-Encoding is none of identity, gzip, deflate, br and zstd",
  )
  @error(
    HttpStatus.UNPROCESSABLE_ENTITY,
    "DynamoDB cannot store the object as given: nested deeper than 32 levels, a number outside " +
      "±(2^53-1) or nearer zero than 1e-130, text with unpaired surrogates, or an empty or " +
      "__proto__ key",
  )
  async put(
    @Body(ParseItemDataPipe) data: ItemData,
    @Query(noQuery) _query: object,
    @Headers(IDEMPOTENCY_KEY_HEADER) idempotencyKey: string | undefined,
    @Res({ passthrough: true }) res: Response,
  ): Promise<CreatedItemDto> {
    const key = await this.items.create(data, parseIdempotencyKey(idempotencyKey));
    res.location(`${API_PREFIX}/get/${key}`);
    return { key };
  }

  @Get("get/:key")
  @ApiOperation({ operationId: "getItem", summary: "Read one item" })
  @ApiParam({ name: "key", schema: ITEM_KEY_SCHEMA, description: "A key returned by put" })
  @ApiOkResponse({ type: ItemDto, description: "The item" })
  @error(HttpStatus.BAD_REQUEST, "The key is not a UUID v4")
  @error(HttpStatus.NOT_FOUND, "No item has this key")
  async get(
    @Param("key", ParseItemKeyPipe) key: string,
    @Query(noQuery) _query: object,
  ): Promise<ItemDto> {
    const item = await this.items.get(key);
    if (item === undefined) throw new ItemNotFoundError(key);
    return item;
  }

  @Get("list")
  @ApiOperation({
    operationId: "listItems",
    summary: "Page through all items",
    description:
      "Following nextCursor until it is null returns every item exactly once. Items come in the " +
      "table's order, not in creation order.",
  })
  @ApiQuery({
    name: "limit",
    required: false,
    schema: { type: "integer", minimum: 1, maximum: MAX_LIST_LIMIT, default: DEFAULT_LIST_LIMIT },
    description: "Items per page",
  })
  @ApiQuery({
    name: "cursor",
    required: false,
    schema: { type: "string", minLength: 1, maxLength: MAX_CURSOR_LENGTH },
    description: "The nextCursor of the previous page, unchanged",
  })
  @ApiOkResponse({ type: ItemListDto, description: "One page of items" })
  @error(HttpStatus.BAD_REQUEST, "limit is not a whole number in range, or the cursor is not valid")
  list(
    @Query(new QueryPipe(listItemsQuery)) query: z.infer<typeof listItemsQuery>,
  ): Promise<ItemListDto> {
    return this.items.list(query.limit, query.cursor);
  }
}
