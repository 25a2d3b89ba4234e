import { Tracer } from "@aws-lambda-powertools/tracer";
import { Segment, type Subsegment } from "aws-xray-sdk-core";
import { traceHeaderRoot } from "../../../lib/trace-header";

const SERVICE_NAME = "picus-delete-function";

/** Off outside Lambda (AWS_EXECUTION_ENV unset): the local stack and unit tests trace nothing. */
export const tracer = new Tracer({ serviceName: SERVICE_NAME });

/**
 * Runs one invocation as a `## index.handler` subsegment, its DynamoDB calls inside (see
 * `tracer.captureAWSv3Client`), in the load balancer's trace: the `Root` of the request's
 * `X-Amzn-Trace-Id`, the id its access log carries. Lambda records its own segments in the trace
 * it was invoked with; when that is another one, the function's part is a segment of the load
 * balancer's trace, annotated with Lambda's trace id, and is kept when Lambda's is (X-Ray's
 * sampling rule). `run` gets the trace id when the invocation is traced.
 */
export async function inLoadBalancerTrace<T>(
  traceHeader: string | undefined,
  run: (traceId: string | undefined) => Promise<T>,
): Promise<T> {
  const lambda = tracer.isTracingEnabled() ? tracer.getSegment() : undefined;
  if (!(lambda instanceof Segment)) return run(undefined);
  const root = traceHeaderRoot(traceHeader);
  const own =
    root === undefined || root === lambda.trace_id ? undefined : new Segment(SERVICE_NAME, root);
  if (own !== undefined) {
    own.origin = "AWS::Lambda::Function";
    own.notTraced = lambda.notTraced;
    own.addAnnotation("lambda_trace_id", lambda.trace_id);
  }
  const parent = own ?? lambda;
  const handler: Subsegment = parent.addNewSubsegment("## index.handler");
  tracer.setSegment(handler);
  tracer.annotateColdStart();
  tracer.addServiceNameAnnotation();
  try {
    return await run(parent.notTraced === true ? undefined : parent.trace_id);
  } catch (error) {
    tracer.addErrorAsMetadata(error as Error);
    throw error;
  } finally {
    handler.close();
    own?.close();
    tracer.setSegment(lambda);
  }
}
