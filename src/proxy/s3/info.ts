/**
 * @module
 * The `s3api` section of `/info`, as Swift's s3api registers it (its limits, here AWS's where
 * edgeswift follows AWS; min_segment_size is S3_MIN_PART_SIZE), plus the region and virtual-host
 * domains clients need.
 * Swift: common/middleware/s3api/s3api.py filter_factory (register_swift_info).
 */

import type { Config } from "../../config/config";
import { MAX_KEYS } from "./listing";
import { MAX_DELETE_KEYS } from "./multi-delete";
import { MAX_PART_NUMBER } from "./upload-segments";

export function s3apiInfo(config: Config): Record<string, unknown> {
  return {
    max_bucket_listing: MAX_KEYS,
    max_parts_listing: 1000,
    max_upload_part_num: MAX_PART_NUMBER,
    max_multi_delete_objects: MAX_DELETE_KEYS,
    allow_multipart_uploads: true,
    min_segment_size: config.s3.minPartSizeBytes,
    s3_acl: false,
    location: config.s3.region,
    storage_domains: config.s3.storageDomains,
  };
}
