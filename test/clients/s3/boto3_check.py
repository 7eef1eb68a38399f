"""boto3 against edgeswift's S3 API, as an application would use it.

Usage: boto3_check.py ENDPOINT ACCESS_KEY SECRET_KEY

Runs each check below in order on a bucket of its own (path-style addressing, region
us-east-1, boto3's default checksum settings), prints "ok: <check>" for each that passed and
"FAIL: <check>" with the traceback for each that did not, and exits 1 if any failed. The test
(s3-boto3.test.ts) runs it with Debian's boto3 and with a current one from PyPI.
"""

import hashlib
import io
import os
import sys
import time
import traceback
import urllib.error
import urllib.request

import boto3
import botocore
from boto3.s3.transfer import TransferConfig
from botocore.config import Config
from botocore.exceptions import ClientError

MiB = 1024 * 1024


def expect(condition, message):
    if not condition:
        raise AssertionError(message)


def error_code(call):
    """The S3 error code a call fails with (ClientError), or None when it succeeds."""
    try:
        call()
    except ClientError as error:
        return error.response["Error"]["Code"]
    return None


def etag_of(data):
    return '"%s"' % hashlib.md5(data).hexdigest()


def main():
    endpoint, access_key, secret_key = sys.argv[1:4]
    print("boto3 %s, botocore %s" % (boto3.__version__, botocore.__version__))
    session = boto3.session.Session(
        aws_access_key_id=access_key, aws_secret_access_key=secret_key, region_name="us-east-1"
    )
    config = Config(s3={"addressing_style": "path"}, retries={"max_attempts": 1})
    s3 = session.client("s3", endpoint_url=endpoint, config=config)
    bucket = "boto3-%d-%d" % (int(time.time() * 1000), os.getpid())
    body = os.urandom(100_000)
    failures = []

    def check(name):
        def run(function):
            try:
                function()
                print("ok: " + name, flush=True)
            except Exception:
                failures.append(name)
                print("FAIL: " + name, flush=True)
                traceback.print_exc(file=sys.stdout)
                sys.stdout.flush()
            return function

        return run

    @check("create_bucket, and list_buckets names it")
    def _():
        s3.create_bucket(Bucket=bucket)
        names = [entry["Name"] for entry in s3.list_buckets()["Buckets"]]
        expect(bucket in names, "list_buckets: %r" % names)
        s3.head_bucket(Bucket=bucket)

    @check("put_object with Metadata and ContentType; ETag is the body's md5")
    def _():
        put = s3.put_object(
            Bucket=bucket,
            Key="dir/object.bin",
            Body=body,
            ContentType="application/octet-stream",
            Metadata={"color": "blue", "owner": "Jane Doe"},
        )
        expect(put["ETag"] == etag_of(body), "ETag %r" % put["ETag"])

    @check("get_object returns the bytes put; a Range returns exactly those bytes")
    def _():
        got = s3.get_object(Bucket=bucket, Key="dir/object.bin")
        data = got["Body"].read()
        expect(data == body, "got %d bytes, md5 %s" % (len(data), hashlib.md5(data).hexdigest()))
        expect(got["ETag"] == etag_of(body), "ETag %r" % got["ETag"])
        ranged = s3.get_object(Bucket=bucket, Key="dir/object.bin", Range="bytes=10-19")
        expect(ranged["Body"].read() == body[10:20], "range bytes")
        expect(ranged["ContentRange"] == "bytes 10-19/%d" % len(body), "ContentRange %r" % ranged["ContentRange"])

    @check("head_object shows the metadata, content type, length and ETag")
    def _():
        head = s3.head_object(Bucket=bucket, Key="dir/object.bin")
        expect(head["Metadata"] == {"color": "blue", "owner": "Jane Doe"}, "Metadata %r" % head["Metadata"])
        expect(head["ContentType"] == "application/octet-stream", "ContentType %r" % head["ContentType"])
        expect(head["ContentLength"] == len(body), "ContentLength %r" % head["ContentLength"])
        expect(head["ETag"] == etag_of(body), "ETag %r" % head["ETag"])

    keys = ["list/%02d.txt" % index for index in range(7)] + ["list/sub/a.txt", "list/sub/b.txt"]

    @check("list_objects_v2 paginator (PageSize 2) yields every key in order, each page at most 2")
    def _():
        for key in keys:
            s3.put_object(Bucket=bucket, Key=key, Body=key.encode())
        paginator = s3.get_paginator("list_objects_v2")
        seen = []
        pages = 0
        for page in paginator.paginate(Bucket=bucket, Prefix="list/", PaginationConfig={"PageSize": 2}):
            pages += 1
            contents = page.get("Contents", [])
            expect(len(contents) <= 2, "page of %d" % len(contents))
            expect(page["KeyCount"] == len(contents), "KeyCount %r" % page["KeyCount"])
            seen.extend(entry["Key"] for entry in contents)
        expect(seen == keys, "keys %r" % seen)
        expect(pages == 5, "%d pages" % pages)

    @check("list_objects_v2 with Delimiter gives CommonPrefixes")
    def _():
        listing = s3.list_objects_v2(Bucket=bucket, Prefix="list/", Delimiter="/")
        prefixes = [entry["Prefix"] for entry in listing.get("CommonPrefixes", [])]
        expect(prefixes == ["list/sub/"], "CommonPrefixes %r" % prefixes)
        expect(len(listing["Contents"]) == 7, "Contents %r" % listing["Contents"])

    @check("copy_object with MetadataDirective REPLACE")
    def _():
        copied = s3.copy_object(
            Bucket=bucket,
            Key="dir/copy.bin",
            CopySource={"Bucket": bucket, "Key": "dir/object.bin"},
            MetadataDirective="REPLACE",
            Metadata={"color": "red"},
            ContentType="text/plain",
        )
        expect(copied["CopyObjectResult"]["ETag"] == etag_of(body), "ETag %r" % copied["CopyObjectResult"])
        head = s3.head_object(Bucket=bucket, Key="dir/copy.bin")
        expect(head["Metadata"] == {"color": "red"}, "Metadata %r" % head["Metadata"])
        expect(head["ContentType"] == "text/plain", "ContentType %r" % head["ContentType"])
        expect(s3.get_object(Bucket=bucket, Key="dir/copy.bin")["Body"].read() == body, "copy bytes")

    large = os.urandom(7 * MiB + 333)

    @check("upload_fileobj over a 6 MiB multipart threshold (5 MiB parts) and download_fileobj back")
    def _():
        transfer = TransferConfig(multipart_threshold=6 * MiB, multipart_chunksize=5 * MiB, max_concurrency=2)
        s3.upload_fileobj(io.BytesIO(large), bucket, "multipart.bin", Config=transfer)
        head = s3.head_object(Bucket=bucket, Key="multipart.bin")
        expect(head["ContentLength"] == len(large), "ContentLength %r" % head["ContentLength"])
        expect(head["ETag"].endswith('-2"'), "ETag of a 2-part upload: %r" % head["ETag"])
        out = io.BytesIO()
        s3.download_fileobj(bucket, "multipart.bin", out, Config=transfer)
        expect(out.getvalue() == large, "downloaded md5 %s" % hashlib.md5(out.getvalue()).hexdigest())

    @check("put_object of a file object (a streamed body)")
    def _():
        s3.put_object(Bucket=bucket, Key="stream.bin", Body=io.BytesIO(body))
        expect(s3.get_object(Bucket=bucket, Key="stream.bin")["Body"].read() == body, "stream bytes")

    def presigner(signature_version):
        presign_config = config.merge(Config(signature_version=signature_version))
        return session.client("s3", endpoint_url=endpoint, config=presign_config)

    @check("generate_presigned_url for get_object (default, SigV4 and SigV2 query auth), fetched with urllib")
    def _():
        for client, name in [(s3, "default"), (presigner("s3v4"), "s3v4"), (presigner("s3"), "s3")]:
            url = client.generate_presigned_url(
                "get_object", Params={"Bucket": bucket, "Key": "dir/object.bin"}, ExpiresIn=300
            )
            expected = {"s3v4": "X-Amz-Signature=", "s3": "Signature="}.get(name, "Signature=")
            expect(expected in url, "%s: %s" % (name, url))
            with urllib.request.urlopen(url, timeout=60) as response:
                expect(response.status == 200, "%s: status %r" % (name, response.status))
                expect(response.read() == body, "%s: presigned bytes" % name)

    @check("generate_presigned_url for put_object (SigV4), PUT with urllib, then get_object")
    def _():
        url = presigner("s3v4").generate_presigned_url(
            "put_object", Params={"Bucket": bucket, "Key": "presigned-put.bin"}, ExpiresIn=300
        )
        request = urllib.request.Request(url, data=body, method="PUT")
        with urllib.request.urlopen(request, timeout=60) as response:
            expect(response.status == 200, "status %r" % response.status)
            expect(response.headers["ETag"] == etag_of(body), "ETag %r" % response.headers["ETag"])
        got = s3.get_object(Bucket=bucket, Key="presigned-put.bin")["Body"].read()
        expect(got == body, "presigned PUT bytes")

    @check("a presigned URL with another key's signature is refused (403)")
    def _():
        url = s3.generate_presigned_url("get_object", Params={"Bucket": bucket, "Key": "dir/object.bin"})
        try:
            urllib.request.urlopen(url.replace("dir/object.bin", "dir/copy.bin"), timeout=60)
        except urllib.error.HTTPError as error:
            expect(error.code == 403, "status %r" % error.code)
            expect(b"SignatureDoesNotMatch" in error.read(), "error code")
        else:
            raise AssertionError("the tampered URL was served")

    @check("error codes: 404 (head), NoSuchKey, NoSuchBucket, BucketNotEmpty, SignatureDoesNotMatch")
    def _():
        code = error_code(lambda: s3.head_object(Bucket=bucket, Key="no/such/key"))
        expect(code == "404", "head_object: %r" % code)
        code = error_code(lambda: s3.get_object(Bucket=bucket, Key="no/such/key"))
        expect(code == "NoSuchKey", "get_object: %r" % code)
        code = error_code(lambda: s3.list_objects_v2(Bucket=bucket + "-missing"))
        expect(code == "NoSuchBucket", "list_objects_v2: %r" % code)
        code = error_code(lambda: s3.delete_bucket(Bucket=bucket))
        expect(code == "BucketNotEmpty", "delete_bucket: %r" % code)
        wrong = session.client(
            "s3",
            endpoint_url=endpoint,
            config=config,
            aws_access_key_id=access_key,
            aws_secret_access_key=secret_key + "-wrong",
        )
        code = error_code(lambda: wrong.list_objects_v2(Bucket=bucket))
        expect(code == "SignatureDoesNotMatch", "wrong secret: %r" % code)

    @check("delete_objects deletes every key; delete_bucket then removes the bucket")
    def _():
        names = [entry["Key"] for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket)
                 for entry in page.get("Contents", [])]
        expect(len(names) == len(keys) + 5, "keys %r" % names)
        deleted = s3.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": name} for name in names]})
        expect(not deleted.get("Errors"), "Errors %r" % deleted.get("Errors"))
        expect(sorted(entry["Key"] for entry in deleted["Deleted"]) == sorted(names), "Deleted %r" % deleted)
        expect(s3.list_objects_v2(Bucket=bucket)["KeyCount"] == 0, "left over")
        s3.delete_bucket(Bucket=bucket)
        code = error_code(lambda: s3.head_bucket(Bucket=bucket))
        expect(code == "404", "head_bucket after delete: %r" % code)

    if failures:
        print("%d check(s) failed: %s" % (len(failures), ", ".join(failures)))
        return 1
    print("all checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
