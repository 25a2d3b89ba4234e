import { ApiProperty } from "@nestjs/swagger";

export class StatusDto {
  @ApiProperty({ enum: ["ok"], example: "ok" })
  status!: "ok";
}
