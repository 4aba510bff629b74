/** Start-up stopped because a dependency or a resource is unusable; the message names the setting. */
export class StartupError extends Error {
  override name = 'StartupError';
}
