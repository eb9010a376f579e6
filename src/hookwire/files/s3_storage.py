"""Files in an S3 bucket, or any S3-compatible service (MinIO, R2, …) at ``STORAGE_S3_ENDPOINT``."""

from __future__ import annotations

from typing import Any, BinaryIO

import boto3
from botocore.config import Config as BotoConfig
from botocore.exceptions import ClientError

from hookwire.config import StorageSettings

_MISSING = {"NoSuchKey", "404", "NotFound"}


class S3Storage:
    """One object per key in ``bucket``.

    Arguments: ``client``, a boto3 S3 client (thread-safe, shared by every request), and
    ``bucket``, the bucket's name (``STORAGE_S3_NAME``), which must exist.
    """

    def __init__(self, client: Any, bucket: str) -> None:
        self.client = client
        self.bucket = bucket

    @classmethod
    def from_settings(cls, settings: StorageSettings) -> S3Storage:
        assert settings.s3_bucket is not None  # config requires it for STORAGE_TYPE=s3
        # An endpoint of one's own (MinIO, moto) serves buckets by path, as Twenty's driver
        # asks (forcePathStyle); AWS itself takes the default virtual-hosted style.
        style = "path" if settings.s3_endpoint else "auto"
        session = boto3.session.Session()  # its own: boto3's default one is not thread-safe
        client = session.client(
            "s3",
            region_name=settings.s3_region,
            endpoint_url=settings.s3_endpoint,
            aws_access_key_id=settings.s3_access_key_id,
            aws_secret_access_key=settings.s3_secret_access_key,
            config=BotoConfig(s3={"addressing_style": style}),
        )
        return cls(client, settings.s3_bucket)

    def save(self, key: str, source: BinaryIO, media_type: str) -> None:
        # upload_fileobj streams: in parts for a large file, never the whole file in memory.
        self.client.upload_fileobj(source, self.bucket, key, ExtraArgs={"ContentType": media_type})

    def open(self, key: str) -> BinaryIO:
        try:
            return self.client.get_object(Bucket=self.bucket, Key=key)["Body"]
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") in _MISSING:
                raise FileNotFoundError(key) from None
            raise

    def delete(self, key: str) -> None:
        self.client.delete_object(Bucket=self.bucket, Key=key)
