/**
 * @module
 * `GET /info` (the cluster's real constraints and features, no auth) and `GET /healthcheck`.
 * Swift: proxy/controllers/info.py, common/middleware/healthcheck.py.
 */

import { Hono } from "hono";
import { parseConfig, type Config } from "../../config/config";
import * as C from "../../common/constraints";
import { H } from "../../common/headers";
import { FORMPOST_INFO } from "../auth/formpost";
import { ETAG_QUOTER_INFO } from "./etag-quoter";
import { TEMPURL_INFO } from "../auth/tempurl";
import {
  MAX_CONTAINERS_PER_EXTRACTION,
  MAX_DELETES_PER_REQUEST,
  MAX_FAILED_DELETES,
  MAX_FAILED_EXTRACTIONS,
} from "./bulk/bulk";
import { SYMLOOP_MAX } from "./symlink/symlink";
import { s3apiInfo } from "../s3/info";

/** The swift section and each middleware's section, as Swift's register_swift_info builds them. */
export function clusterInfo(config: Config): Record<string, unknown> {
  return {
    swift: {
      version: "2.30.1",
      strict_cors_mode: true,
      // Swift: StoragePolicyCollection.get_policy_info — deprecated policies are not listed.
      policies: config.policies.all
        .filter((policy) => !policy.deprecated)
        .map((policy) => ({
          name: policy.name,
          aliases: policy.aliases.join(", "),
          ...(policy.isDefault ? { default: true } : {}),
        })),
      allow_account_management: true,
      account_autocreate: true,
      max_file_size: config.maxFileSize,
      max_meta_name_length: C.MAX_META_NAME_LENGTH,
      max_meta_value_length: C.MAX_META_VALUE_LENGTH,
      max_meta_count: C.MAX_META_COUNT,
      max_meta_overall_size: C.MAX_META_OVERALL_SIZE,
      max_header_size: C.MAX_HEADER_SIZE,
      max_object_name_length: C.MAX_OBJECT_NAME_LENGTH,
      container_listing_limit: C.CONTAINER_LISTING_LIMIT,
      account_listing_limit: C.ACCOUNT_LISTING_LIMIT,
      max_account_name_length: C.MAX_ACCOUNT_NAME_LENGTH,
      max_container_name_length: C.MAX_CONTAINER_NAME_LENGTH,
      extra_header_count: C.EXTRA_HEADER_COUNT,
    },
    tempauth: { account_acls: true },
    slo: {
      max_manifest_segments: C.SLO_MAX_MANIFEST_SEGMENTS,
      max_manifest_size: C.SLO_MAX_MANIFEST_SIZE,
      yield_frequency: C.SLO_YIELD_FREQUENCY_SECONDS,
      min_segment_size: C.SLO_MIN_SEGMENT_SIZE,
      allow_async_delete: true,
    },
    dlo: { max_get_time: C.LARGE_OBJECT_MAX_GET_TIME_SECONDS },
    tempurl: TEMPURL_INFO,
    formpost: FORMPOST_INFO,
    bulk_upload: {
      max_containers_per_extraction: MAX_CONTAINERS_PER_EXTRACTION,
      max_failed_extractions: MAX_FAILED_EXTRACTIONS,
    },
    bulk_delete: { max_deletes_per_request: MAX_DELETES_PER_REQUEST, max_failed_deletes: MAX_FAILED_DELETES },
    container_quotas: {},
    account_quotas: {},
    symlink: { symloop_max: SYMLOOP_MAX, static_links: true },
    versioned_writes: { allowed_flags: [H.X_VERSIONS_LOCATION, H.X_HISTORY_LOCATION] },
    object_versioning: {},
    staticweb: {},
    etag_quoter: ETAG_QUOTER_INFO,
    // Container sync settings are kept (container-sync.ts); no realm is configured.
    container_sync: { realms: {} },
    s3api: s3apiInfo(config),
    // Swift registers domain_remap only when it is in the pipeline: here, when STORAGE_DOMAIN is set.
    ...(config.domainRemap
      ? { domain_remap: { default_reseller_prefix: config.domainRemap.defaultResellerPrefix } }
      : {}),
  };
}

export const info = new Hono<{ Bindings: Env }>();

info.on(["GET", "HEAD"], "/info", (c) => {
  const body = JSON.stringify(clusterInfo(parseConfig(c.env)));
  return new Response(c.req.method === "HEAD" ? null : body, {
    headers: {
      [H.CONTENT_TYPE]: "application/json; charset=UTF-8",
      [H.CONTENT_LENGTH]: String(new TextEncoder().encode(body).length),
    },
  });
});

info.options("/info", () => new Response(null, { status: 200, headers: { [H.ALLOW]: "HEAD, GET, OPTIONS" } }));

// Swift: common/middleware/healthcheck.py answers 200 "OK", or 503 "DISABLED BY FILE" when an
// operator disabled the proxy. Here the configuration disables it: parseConfig throws a
// ConfigError (503, its message as the body) when a ring and the bindings do not match or a
// variable is bad, so a Worker that cannot serve never reports itself healthy.
info.get("/healthcheck", (c) => {
  parseConfig(c.env);
  return new Response("OK", { headers: { [H.CONTENT_TYPE]: "text/plain" } });
});
