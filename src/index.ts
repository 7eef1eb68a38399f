import { DurableObject } from "cloudflare:workers";
export class AccountReplica extends DurableObject<Env> { ping(): string { return "a"; } }
export class ContainerReplica extends DurableObject<Env> { ping(): string { return "c"; } }
export class ObjectReplica extends DurableObject<Env> { ping(): string { return "o"; } }
export default { async fetch(req: Request, env: Env): Promise<Response> { return new Response(String(env.HASH_PATH_PREFIX)); } } satisfies ExportedHandler<Env>;
