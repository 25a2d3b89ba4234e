const ROOT = /(?:^|;)\s*Root=(1-[0-9a-f]{8}-[0-9a-f]{24})\s*(?:;|$)/i;

/** The X-Ray trace id (`1-5759e988-bd862e3fe1be46a994272793`) of an `X-Amzn-Trace-Id` header. */
export function traceHeaderRoot(header: string | undefined): string | undefined {
  return header === undefined ? undefined : ROOT.exec(header)?.[1].toLowerCase();
}
