import { ApiProperty } from "@nestjs/swagger";
import type { ErrorBody } from "../../../lib/errors";

export class ErrorBodyDto implements ErrorBody {
  @ApiProperty({ example: 400, minimum: 400, maximum: 599 })
  statusCode!: number;

  @ApiProperty({ example: "Bad Request", description: "The status code's reason phrase" })
  error!: string;

  @ApiProperty({ example: "The request body must be a JSON object, not an array" })
  message!: string;
}
