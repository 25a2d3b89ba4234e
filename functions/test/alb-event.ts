import type { ALBEvent } from "aws-lambda";

export interface TestALBEventOptions {
  method?: string;
  path?: string;
  query?: Record<string, string>;
  headers?: Record<string, string>;
  body?: string | null;
  isBase64Encoded?: boolean;
}

const TARGET_GROUP_ARN =
  "arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/picus-delete/0123456789abcdef";

const ALB_HEADERS = {
  host: "picus.example.com",
  "user-agent": "curl/8.5.0",
  "x-amzn-trace-id": "Root=1-6745a3c1-0123456789abcdef01234567",
  "x-forwarded-for": "203.0.113.7",
  "x-forwarded-port": "443",
  "x-forwarded-proto": "https",
};

/** An ALB event from a target group with multi-value headers off (the default). */
export function createTestALBEvent(options: TestALBEventOptions = {}): ALBEvent {
  return {
    requestContext: { elb: { targetGroupArn: TARGET_GROUP_ARN } },
    httpMethod: options.method ?? "DELETE",
    path: options.path ?? "/picus/00000000-0000-4000-8000-000000000000",
    queryStringParameters: options.query ?? {},
    headers: { ...ALB_HEADERS, ...options.headers },
    body: options.body ?? "",
    isBase64Encoded: options.isBase64Encoded ?? false,
  };
}
