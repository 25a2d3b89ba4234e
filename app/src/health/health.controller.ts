import { Controller, Get } from "@nestjs/common";
import { ApiOkResponse, ApiOperation, ApiResponse, ApiTags } from "@nestjs/swagger";
import { HEALTH_CHECK_PATH } from "../../../lib/routes";
import { ErrorBodyDto } from "../common/error-body.dto";
import { TableReadiness } from "../dynamodb/table-readiness";
import { StatusDto } from "./status.dto";

@ApiTags("health")
@Controller()
export class HealthController {
  constructor(private readonly readiness: TableReadiness) {}

  @Get(HEALTH_CHECK_PATH)
  @ApiOperation({
    operationId: "health",
    summary: "Liveness: the process serves HTTP (does not touch DynamoDB)",
  })
  @ApiOkResponse({ type: StatusDto, description: "Serving" })
  health(): StatusDto {
    return { status: "ok" };
  }

  @Get("ready")
  @ApiOperation({ operationId: "ready", summary: "Readiness: the DynamoDB table answers" })
  @ApiOkResponse({ type: StatusDto, description: "The table is ACTIVE" })
  @ApiResponse({ status: 503, description: "The table is unreachable", type: ErrorBodyDto })
  async ready(): Promise<StatusDto> {
    await this.readiness.check();
    return { status: "ok" };
  }
}
