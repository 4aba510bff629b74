/** The part of the platform's response object the controllers use (express or any adapter). */
export interface HttpResponse {
  status(code: number): unknown;
  setHeader(name: string, value: string): unknown;
}
