/**
 * @module
 * The one part of `node:async_hooks` the Worker uses (the runtime's `nodejs_als` flag, wrangler.toml):
 * AsyncLocalStorage, declared here since the project carries no Node types.
 */

declare module "node:async_hooks" {
  export class AsyncLocalStorage<T> {
    getStore(): T | undefined;
    run<R>(store: T, callback: () => R): R;
  }
}
