import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { TABLE_ATTRIBUTES, TABLE_HASH_KEY } from "../../lib/table";

export interface DataArgs {
  deletionProtection: boolean;
  /** Pulumi's `protect`: `pulumi destroy` refuses to delete the table while set. */
  protect: boolean;
}

/** The single DynamoDB table: on-demand, encrypted, point-in-time recovery on. */
export class Data extends pulumi.ComponentResource {
  public readonly tableName: pulumi.Output<string>;
  public readonly tableArn: pulumi.Output<string>;

  constructor(name: string, args: DataArgs, opts?: pulumi.ComponentResourceOptions) {
    super("picus:data:Data", name, {}, opts);

    const table = new aws.dynamodb.Table(
      `${name}-items`,
      {
        billingMode: "PAY_PER_REQUEST",
        hashKey: TABLE_HASH_KEY,
        attributes: TABLE_ATTRIBUTES.map(({ name: attribute, type }) => ({
          name: attribute,
          type,
        })),
        serverSideEncryption: { enabled: true },
        pointInTimeRecovery: { enabled: true },
        deletionProtectionEnabled: args.deletionProtection,
      },
      { parent: this, protect: args.protect },
    );

    this.tableName = table.name;
    this.tableArn = table.arn;
    this.registerOutputs({ tableName: this.tableName, tableArn: this.tableArn });
  }
}
