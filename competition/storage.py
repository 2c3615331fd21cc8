"""Where files live: attachments, objection evidence, certificate layout images and generated
ZIPs, behind one small interface, so any number of app servers can share them.

Two backends, chosen once per app by ``init_storage`` from ``JURI_STORAGE_URL``:

- unset (the default): the local folder ``UPLOAD_FOLDER`` (``instance/uploads``), or
  ``file:///some/path`` for another folder. One server, or servers sharing that folder.
- ``s3://bucket/prefix?endpoint=http://127.0.0.1:9000&region=us-east-1``: any S3-compatible
  object store (AWS S3, MinIO, Ceph, ...) through boto3, credentials from the usual ``AWS_*``
  environment variables. Downloads are redirects to a presigned URL valid ``expires`` seconds
  (default 300), so the app servers do not carry the bytes; ``proxy=1`` streams them through
  the app instead (a store the browsers cannot reach).

A key is a relative POSIX path (``12-3f9c….pdf``, ``certificates/round1-logo-….png``); keys
with ``..``, a leading ``/`` or a backslash are refused, so a key never leaves the store.
Code reaches the store through ``get_storage()``; nothing else touches the upload folder.
``flask storage migrate`` copies an existing upload folder into the configured store.
"""

from __future__ import annotations

import importlib
import os
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Protocol
from urllib.parse import parse_qs, urlsplit

import click
from flask import Flask, Response, current_app, redirect, send_file
from flask.cli import AppGroup

from competition.downloads import disposition


def _botocore_error() -> type[Exception]:
    """botocore's ``ClientError``. boto3 and botocore are imported on first use of an
    ``S3Storage`` (importing them costs about 0.3 s of every process's start, and most
    servers store files in their upload folder)."""
    return importlib.import_module("botocore.exceptions").ClientError


CHUNK_BYTES = 64 * 1024


def check_key(key: str) -> str:
    """``key`` if it is a safe relative POSIX path, else ``ValueError``."""
    parts = key.split("/")
    if not key or key.startswith("/") or "\\" in key or any(p in ("", ".", "..") for p in parts):
        raise ValueError(f"Not a storage key: {key!r}")
    return key


class Storage(Protocol):
    """What every backend offers. Missing keys raise ``FileNotFoundError`` (``delete``
    excepted: deleting a missing key does nothing)."""

    def put(self, key: str, data: bytes | IO[bytes], content_type: str) -> None: ...

    def create(self, key: str, data: bytes, content_type: str) -> bool: ...

    def open(self, key: str) -> IO[bytes]: ...

    def delete(self, key: str) -> None: ...

    def exists(self, key: str) -> bool: ...

    def size(self, key: str) -> int: ...

    def keys(self, prefix: str = "") -> Iterator[str]: ...

    def location(self, key: str) -> str: ...

    def send(
        self, key: str, content_type: str, download_name: str, *, as_attachment: bool = True
    ) -> Response: ...

    def check(self) -> None: ...


class LocalStorage:
    """Files in a folder on this machine (or on a share every server mounts)."""

    def __init__(self, root: str | Path):
        self.root = Path(root)

    def __repr__(self) -> str:
        return f"LocalStorage({str(self.root)!r})"

    def path(self, key: str) -> Path:
        return self.root / check_key(key)

    def put(self, key: str, data: bytes | IO[bytes], content_type: str) -> None:
        """Write atomically: a reader on another worker never sees half a file."""
        path = self.path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
        try:
            with os.fdopen(fd, "wb") as f:
                if isinstance(data, bytes | bytearray):
                    f.write(data)
                else:
                    while chunk := data.read(CHUNK_BYTES):
                        f.write(chunk)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    def create(self, key: str, data: bytes, content_type: str) -> bool:
        """Write ``data`` only if ``key`` does not exist yet; False if it does. Atomic, so a
        small object can serve as a lock between workers."""
        path = self.path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
        except FileExistsError:
            return False
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        return True

    def open(self, key: str) -> IO[bytes]:
        return self.path(key).open("rb")

    def delete(self, key: str) -> None:
        self.path(key).unlink(missing_ok=True)

    def exists(self, key: str) -> bool:
        return self.path(key).is_file()

    def size(self, key: str) -> int:
        return self.path(key).stat().st_size

    def location(self, key: str) -> str:
        """Where ``key`` is, for people (a CLI's output): its path."""
        return str(self.path(key))

    def keys(self, prefix: str = "") -> Iterator[str]:
        folder = prefix.rpartition("/")[0]  # walk only that folder: uploads may be many
        start = self.path(folder) if folder else self.root
        if not start.is_dir():
            return
        for path in sorted(start.rglob("*")):
            key = path.relative_to(self.root).as_posix()
            if path.is_file() and not path.name.startswith(".tmp-") and key.startswith(prefix):
                yield key

    def send(
        self, key: str, content_type: str, download_name: str, *, as_attachment: bool = True
    ) -> Response:
        path = self.path(key)
        if not path.is_file():
            raise FileNotFoundError(key)
        return send_file(
            path,
            mimetype=content_type,
            as_attachment=as_attachment,
            download_name=download_name,
            max_age=0,
        )

    def check(self) -> None:
        """Raises ``OSError`` unless the folder exists (or can be made) and is writable."""
        self.root.mkdir(parents=True, exist_ok=True)
        if not os.access(self.root, os.W_OK):
            raise PermissionError(f"{self.root} is not writable")


class S3Storage:
    """Objects in an S3-compatible bucket under ``prefix``. The boto3 client is made on first
    use (no network call when the app starts) and shared by the threads of a worker."""

    def __init__(
        self,
        bucket: str,
        prefix: str = "",
        *,
        endpoint: str | None = None,
        region: str | None = None,
        proxy: bool = False,
        expires: int = 300,
    ):
        self.bucket, self.prefix = bucket, prefix.strip("/")
        self.endpoint, self.region = endpoint, region
        self.proxy, self.expires = proxy, expires
        self._client = None
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"S3Storage(s3://{self.bucket}/{self.prefix}, endpoint={self.endpoint!r})"

    @property
    def client(self):
        with self._lock:
            if self._client is None:
                self._client = importlib.import_module("boto3").client(
                    "s3",
                    endpoint_url=self.endpoint,
                    region_name=self.region,
                    # path-style URLs: MinIO and other self-hosted stores have no per-bucket
                    # DNS names
                    config=importlib.import_module("botocore.config").Config(
                        signature_version="s3v4", s3={"addressing_style": "path"}
                    ),
                )
            return self._client

    def _name(self, key: str) -> str:
        check_key(key)
        return f"{self.prefix}/{key}" if self.prefix else key

    def _missing(self, exc) -> bool:
        code = str(exc.response.get("Error", {}).get("Code", ""))
        return code in ("404", "NoSuchKey", "NotFound")

    def _head(self, key: str) -> dict:
        try:
            return self.client.head_object(Bucket=self.bucket, Key=self._name(key))
        except _botocore_error() as exc:
            if self._missing(exc):
                raise FileNotFoundError(key) from None
            raise

    def put(self, key: str, data: bytes | IO[bytes], content_type: str) -> None:
        name = self._name(key)
        if isinstance(data, bytes | bytearray):
            self.client.put_object(
                Bucket=self.bucket, Key=name, Body=bytes(data), ContentType=content_type
            )
        else:  # multipart for large streams (the certificate ZIP)
            self.client.upload_fileobj(
                data, self.bucket, name, ExtraArgs={"ContentType": content_type}
            )

    def create(self, key: str, data: bytes, content_type: str) -> bool:
        """A conditional write (``If-None-Match: *``, which S3 and MinIO honour): False if the
        object exists."""
        try:
            self.client.put_object(
                Bucket=self.bucket,
                Key=self._name(key),
                Body=data,
                ContentType=content_type,
                IfNoneMatch="*",
            )
        except _botocore_error() as exc:
            code = str(exc.response.get("Error", {}).get("Code", ""))
            if code in ("PreconditionFailed", "412", "ConditionalRequestConflict", "409"):
                return False
            raise
        return True

    def _get(self, key: str) -> dict:
        try:
            return self.client.get_object(Bucket=self.bucket, Key=self._name(key))
        except _botocore_error() as exc:
            if self._missing(exc):
                raise FileNotFoundError(key) from None
            raise

    def open(self, key: str) -> IO[bytes]:
        return self._get(key)["Body"]

    def delete(self, key: str) -> None:
        self.client.delete_object(Bucket=self.bucket, Key=self._name(key))

    def exists(self, key: str) -> bool:
        try:
            self._head(key)
        except FileNotFoundError:
            return False
        return True

    def size(self, key: str) -> int:
        return int(self._head(key)["ContentLength"])

    def location(self, key: str) -> str:
        """Where ``key`` is, for people (a CLI's output): its s3:// URL."""
        return f"s3://{self.bucket}/{self._name(key)}"

    def keys(self, prefix: str = "") -> Iterator[str]:
        base = f"{self.prefix}/" if self.prefix else ""
        pages = self.client.get_paginator("list_objects_v2").paginate(
            Bucket=self.bucket, Prefix=base + prefix
        )
        for page in pages:
            for obj in page.get("Contents", ()):
                yield obj["Key"][len(base) :]

    def send(
        self, key: str, content_type: str, download_name: str, *, as_attachment: bool = True
    ) -> Response:
        header = disposition(download_name, inline=not as_attachment)
        if not self.proxy:
            self._head(key)  # a missing file is a 404 here, not an error page of the store
            url = self.client.generate_presigned_url(
                "get_object",
                Params={
                    "Bucket": self.bucket,
                    "Key": self._name(key),
                    "ResponseContentType": content_type,
                    "ResponseContentDisposition": header,
                },
                ExpiresIn=self.expires,
            )
            response = redirect(url, 302)
            response.headers["Cache-Control"] = "no-store"  # the URL expires
            return response
        obj = self._get(key)
        body = obj["Body"]
        response = Response(
            body.iter_chunks(CHUNK_BYTES), mimetype=content_type, direct_passthrough=True
        )
        response.headers["Content-Disposition"] = header
        response.headers["Content-Length"] = str(obj["ContentLength"])
        response.headers["Cache-Control"] = "no-cache"
        response.call_on_close(body.close)
        return response

    def check(self) -> None:
        self.client.head_bucket(Bucket=self.bucket)


def from_url(url: str | None, upload_folder: str) -> Storage:
    """The backend for ``JURI_STORAGE_URL`` (see the module docstring); ``ValueError`` for a
    URL it does not understand."""
    if not url:
        return LocalStorage(upload_folder)
    parts = urlsplit(url)
    if parts.scheme == "file":
        return LocalStorage(parts.path)
    if parts.scheme == "s3" and parts.netloc:
        query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
        return S3Storage(
            parts.netloc,
            parts.path,
            endpoint=query.get("endpoint"),
            region=query.get("region"),
            proxy=query.get("proxy", "").lower() in ("1", "true", "yes"),
            expires=int(query.get("expires", 300)),
        )
    raise ValueError(f"JURI_STORAGE_URL: expected s3://bucket/prefix or file:///path, not {url!r}")


def init_storage(app: Flask) -> None:
    """Choose the app's storage from its config and add ``flask storage``."""
    app.extensions["juri_storage"] = from_url(
        app.config.get("STORAGE_URL"), app.config["UPLOAD_FOLDER"]
    )
    app.cli.add_command(storage_cli)


def get_storage() -> Storage:
    """The current app's storage."""
    return current_app.extensions["juri_storage"]


def read_bytes(key: str) -> bytes:
    """The whole stored file (for small files: images, job state)."""
    with get_storage().open(key) as f:
        return f.read()


def migrate_folder(source: LocalStorage, target: Storage) -> tuple[int, int]:
    """Copy every file of ``source`` missing from ``target`` (or of another size there);
    returns (copied, already there). Running it again copies nothing."""
    copied = skipped = 0
    for key in source.keys():
        if target.exists(key) and target.size(key) == source.size(key):
            skipped += 1
            continue
        with source.open(key) as f:
            target.put(key, f, content_type(key))
        copied += 1
    return copied, skipped


def content_type(key: str) -> str:
    """The content type of a stored file, by the extension its key was given."""
    ext = key.rpartition(".")[2].lower()
    return {
        "pdf": "application/pdf",
        "jpg": "image/jpeg",
        "jpeg": "image/jpeg",
        "png": "image/png",
        "zip": "application/zip",
        "json": "application/json",
    }.get(ext, "application/octet-stream")


storage_cli = AppGroup("storage", help="The file store (uploads, generated ZIPs).")


@storage_cli.command("migrate")
@click.option(
    "--from",
    "folder",
    type=click.Path(file_okay=False),
    default=None,
    help="The folder to copy from (default: UPLOAD_FOLDER).",
)
def migrate_command(folder: str | None) -> None:
    """Copy the files of the upload folder into the configured store (JURI_STORAGE_URL).
    Files already there are skipped, so it can run again after an interruption; the folder
    is left as it is."""
    source = LocalStorage(folder or current_app.config["UPLOAD_FOLDER"])
    target = get_storage()
    if isinstance(target, LocalStorage) and target.root.resolve() == source.root.resolve():
        raise click.ClickException(
            "The store is the upload folder itself: set JURI_STORAGE_URL to the new store."
        )
    copied, skipped = migrate_folder(source, target)
    click.echo(f"{copied} files copied to {target!r}, {skipped} already there.")
