/** Bus port: the daily batch's steps hand over to each other through topics (Pub/Sub in the cloud). */
export interface BusMessage {
  topic: string;
  data: Record<string, unknown>;
  attributes?: Record<string, string>;
}

export interface Bus {
  readonly kind: string;
  publish(
    topic: string,
    data: Record<string, unknown>,
    attributes?: Record<string, string>,
  ): Promise<string>;
  /** Calls the handler for every message published after subscribing; returns an unsubscribe function. */
  subscribe(
    topic: string,
    handler: (msg: BusMessage) => Promise<void>,
  ): Promise<() => Promise<void>>;
  close(): Promise<void>;
}
