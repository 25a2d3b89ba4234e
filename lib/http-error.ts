import { STATUS_CODES } from "node:http";

/** The JSON body of every error response, from the Nest service and from the function alike. */
export interface ErrorBody {
  statusCode: number;
  error: string;
  message: string;
}

export function errorBody(statusCode: number, message: string): ErrorBody {
  return { statusCode, error: STATUS_CODES[statusCode] ?? "Error", message };
}
