declare module "cloudflare:workers" {
  // The Worker under test, as `exports.default`.
  interface ProvidedEnv extends Env {}
}
