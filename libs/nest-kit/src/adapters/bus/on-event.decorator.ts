import type { Static, TSchema } from '@sinclair/typebox';
import type { BusMessage, SubscribeOptions } from '@atp/bus';
import type { TopicContract } from '@atp/contracts';

/** How a handler subscribes; the group defaults to the service name. */
export type OnEventOptions = Partial<Omit<SubscribeOptions<TSchema>, 'contract' | 'runId'>>;

export interface EventHandlerMeta {
  readonly contract: TopicContract;
  readonly options: OnEventOptions;
  readonly method: string;
}

const HANDLERS = Symbol('atp:event-handlers');

/** The bus handler signature for a contract: the decoded value, then the delivery. */
export type EventHandlerMethod<S extends TSchema> = (value: Static<S>, message: BusMessage<Static<S>>) => Promise<void> | void;

/**
 * Marks a provider method as the handler of a topic, subscribed through the Bus port by the
 * service's `BusConsumer` when the application starts, and closed (after in-flight messages) when
 * it stops. The method's signature is checked against the contract's value type.
 *
 *     @OnEvent(TOPICS.fills, { group: 'pnl' })
 *     async onFill(fill: FillEvent, msg: BusMessage<FillEvent>) { ... }
 *
 * Contract of the method (the Bus port's): resolving acknowledges the message, throwing asks for a
 * retry, `PermanentError` sends it straight to `<topic>.dlq`. It must be idempotent.
 */
export function OnEvent<S extends TSchema>(contract: TopicContract<S>, options: OnEventOptions = {}) {
  return <M extends EventHandlerMethod<S>>(target: object, method: string | symbol, _descriptor: TypedPropertyDescriptor<M>): void => {
    if (typeof method !== 'string') throw new Error('@OnEvent handlers need a string method name');
    const ctor = target.constructor as { [HANDLERS]?: EventHandlerMeta[] };
    const own = Object.prototype.hasOwnProperty.call(ctor, HANDLERS) ? ctor[HANDLERS]! : [...(ctor[HANDLERS] ?? [])];
    own.push(Object.freeze({ contract: contract as unknown as TopicContract, options: Object.freeze({ ...options }), method }));
    Object.defineProperty(ctor, HANDLERS, { value: own, configurable: true });
  };
}

/** The `@OnEvent` handlers declared on a class (and its base classes). */
export function eventHandlersOf(cls: unknown): readonly EventHandlerMeta[] {
  return typeof cls === 'function' ? ((cls as { [HANDLERS]?: EventHandlerMeta[] })[HANDLERS] ?? []) : [];
}
