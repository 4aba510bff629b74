/**
 * Injection tokens (constants, never string literals at injection sites). Every service module
 * provides them for its own providers, so several services can share one Nest application
 * (embedded mode) and still each see their own store, config and logger.
 */
/** The Bus port (`@atp/bus`). */
export const BUS = Symbol('atp:BUS');
/** The service's Store (`@atp/storage`): its own database / namespace. */
export const STORE = Symbol('atp:STORE');
/** The `Clock` (`@atp/core`): system clock live, event time in replay. */
export const CLOCK = Symbol('atp:CLOCK');
/** The service's validated, frozen configuration object. */
export const SERVICE_CONFIG = Symbol('atp:SERVICE_CONFIG');
/** The service's JSON `Logger` (`@atp/observability`). */
export const LOGGER = Symbol('atp:LOGGER');
/** The process's `Metrics` registry (`@atp/observability`). */
export const METRICS = Symbol('atp:METRICS');
/** The whole `ServiceRuntime` (name, version and all of the above). */
export const SERVICE_RUNTIME = Symbol('atp:SERVICE_RUNTIME');
/** The `HostInfo` of the process: deployment, mode and the services it runs. */
export const HOST_INFO = Symbol('atp:HOST_INFO');
