"""``mmsite deploy s3://BUCKET[/PREFIX]`` against a real S3 API: moto's server, started
here on 127.0.0.1 (an HTTP server in a thread; boto3 talks to it over the network stack
exactly as it talks to AWS, R2 or MinIO)."""

from __future__ import annotations

import hashlib
import socket
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

boto3 = pytest.importorskip("boto3")
moto_server = pytest.importorskip("moto.server")

from helpers import build_site  # noqa: E402
from mmsite.commands.cli import main  # noqa: E402
from mmsite.features.hosting import IMMUTABLE, REVALIDATE  # noqa: E402

CREDENTIALS = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def endpoint() -> Iterator[str]:
    port = free_port()
    server = moto_server.ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


@pytest.fixture
def aws_env(monkeypatch, tmp_path: Path) -> None:
    """Only the variables set here count: no profile, config file or instance metadata."""
    for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_S3"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-aws-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-aws-credentials"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    for name, value in CREDENTIALS.items():
        monkeypatch.setenv(name, value)


@pytest.fixture
def s3(endpoint: str, aws_env: None):
    return boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1")


@pytest.fixture
def bucket(s3) -> str:
    name = f"shop-{uuid.uuid4().hex[:12]}"
    s3.create_bucket(Bucket=name)
    return name


@pytest.fixture
def site(tmp_path: Path) -> Path:
    root = tmp_path / "shop"
    assert main(["new", str(root)]) == 0
    build_site(root)
    return root


def deploy(capsys, site: Path, endpoint: str, target: str, *extra: str) -> tuple[int, str, str]:
    code = main(["deploy", target, "--site", str(site), "--endpoint-url", endpoint, *extra])
    out, err = capsys.readouterr()
    return code, out, err


def objects(s3, bucket: str, prefix: str = "") -> dict[str, str]:
    """key -> ETag of everything in the bucket under prefix."""
    found = {}
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
        for item in page.get("Contents", []):
            found[item["Key"]] = item["ETag"].strip('"')
    return found


def served_files(site: Path) -> dict[str, str]:
    """rel path -> md5 of the files a bucket should hold (host instruction files aside)."""
    public = site / "public"
    return {
        p.relative_to(public).as_posix(): hashlib.md5(p.read_bytes()).hexdigest()
        for p in public.rglob("*")
        if p.is_file() and p.name not in (".mmsite-output", "_headers", "_redirects")
    }


def uploaded(out: str) -> set[str]:
    return {line.split()[1] for line in out.splitlines() if line.startswith("uploaded ")}


def test_first_deploy_uploads_everything_and_a_second_nothing(
    capsys, site: Path, endpoint: str, s3, bucket: str
) -> None:
    code, out, err = deploy(capsys, site, endpoint, f"s3://{bucket}")
    assert code == 0, err
    local = served_files(site)
    assert objects(s3, bucket) == local  # every file, byte for byte (ETag = MD5)
    assert uploaded(out) == set(local)
    assert f"uploaded {len(local)} (" in out and "unchanged 0, deleted 0" in out

    code, out, err = deploy(capsys, site, endpoint, f"s3://{bucket}")
    assert code == 0, err
    assert uploaded(out) == set()
    assert f"uploaded 0 (0 bytes), unchanged {len(local)}, deleted 0" in out


def test_an_edit_uploads_only_changed_files_and_a_removed_page_is_deleted_last(
    capsys, site: Path, endpoint: str, s3, bucket: str
) -> None:
    assert deploy(capsys, site, endpoint, f"s3://{bucket}")[0] == 0
    before = served_files(site)
    article = site / "content/series/interviews/01-first-interview.md"
    article.write_text(article.read_text().replace("Write the answer", "Write the best answer"))
    build_site(site)
    after = served_files(site)
    changed = {rel for rel in after if before.get(rel) != after[rel]}
    # the article, and the feeds that carry it
    assert {
        "series/interviews/01-first-interview/index.html",
        "series/interviews/atom.xml",
        "series/atom.xml",
    } <= changed
    assert len(changed) < len(after) / 3

    code, out, err = deploy(capsys, site, endpoint, f"s3://{bucket}")
    assert code == 0, err
    assert uploaded(out) == changed
    assert objects(s3, bucket) == after

    # The French page goes: its files go after the changed ones are up.
    (site / "content/products/first-product.fr.md").unlink()
    (site / "content/_index.fr.md").write_text(
        (site / "content/_index.fr.md").read_text() + "\nNouveau.\n"
    )
    build_site(site)
    gone = set(after) - set(served_files(site))
    assert "fr/boutique/premier-produit/index.html" in gone
    code, out, err = deploy(capsys, site, endpoint, f"s3://{bucket}")
    assert code == 0, err
    lines = out.splitlines()
    deleted = [i for i, line in enumerate(lines) if line.startswith("deleted ")]
    ups = [i for i, line in enumerate(lines) if line.startswith("uploaded ")]
    assert {lines[i].split()[1] for i in deleted} == gone
    assert ups and max(ups) < min(deleted)  # no window with links to missing files
    assert objects(s3, bucket) == served_files(site)


def header_rules(site: Path) -> dict[str, str]:
    """Cache-Control per path in the build's _headers (the rules mmsite wrote)."""
    rules: dict[str, str] = {}
    path = None
    for line in (site / "public/_headers").read_text().splitlines():
        if line.startswith("/"):
            path = line.strip()
        elif path and line.strip().lower().startswith("cache-control:"):
            rules[path] = line.split(":", 1)[1].strip()
    return rules


def test_content_types_and_cache_headers_follow_headers_file(
    capsys, site: Path, endpoint: str, s3, bucket: str
) -> None:
    (site / "static").mkdir()
    (site / "static/_headers").write_text("/fr/:section/*\n  Cache-Control: public, max-age=60\n")
    build_site(site)
    assert deploy(capsys, site, endpoint, f"s3://{bucket}/www")[0] == 0
    rules = header_rules(site)
    hashed = {path.lstrip("/") for path, value in rules.items() if value == IMMUTABLE}
    assert any(rel.endswith(".css") for rel in hashed)
    own = "public, max-age=60"  # the site's own rule, from static/_headers
    assert rules["/fr/:section/*"] == own
    expected_types = {
        ".html": "text/html; charset=utf-8",
        ".css": "text/css; charset=utf-8",
        ".js": "text/javascript; charset=utf-8",
        ".xml": "application/xml; charset=utf-8",
        ".txt": "text/plain; charset=utf-8",
    }
    seen = set()
    for rel in served_files(site):
        head = s3.head_object(Bucket=bucket, Key=f"www/{rel}")
        expected = REVALIDATE
        if rel in hashed:
            expected = IMMUTABLE
        elif rel.startswith("fr/") and rel.count("/") >= 2:
            expected = own
        assert head["CacheControl"] == expected, rel
        suffix = Path(rel).suffix
        if suffix in expected_types:
            assert head["ContentType"] == expected_types[suffix], rel
            seen.add(suffix)
    assert {".html", ".css", ".xml"} <= seen


def test_dry_run_changes_nothing(capsys, site: Path, endpoint: str, s3, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="old.html", Body=b"old")
    code, out, err = deploy(capsys, site, endpoint, f"s3://{bucket}", "--dry-run")
    assert code == 0, err
    assert objects(s3, bucket) == {"old.html": hashlib.md5(b"old").hexdigest()}
    assert "upload index.html (" in out and "delete old.html" in out
    assert f"would upload {len(served_files(site))} file(s)" in out


def test_never_deletes_outside_the_prefix(
    capsys, site: Path, endpoint: str, s3, bucket: str
) -> None:
    for key in ("site2/index.html", "sites", "other/page.html", "site/stale.html"):
        s3.put_object(Bucket=bucket, Key=key, Body=b"x")
    code, out, err = deploy(capsys, site, endpoint, f"s3://{bucket}/site/")
    assert code == 0, err
    keys = set(objects(s3, bucket))
    assert {"site2/index.html", "sites", "other/page.html"} <= keys
    assert "site/stale.html" not in keys and "site/index.html" in keys
    assert [line for line in out.splitlines() if line.startswith("deleted")] == [
        "deleted site/stale.html"
    ]


def test_refuses_an_unbuilt_or_empty_output(
    capsys, tmp_path: Path, endpoint: str, bucket: str
) -> None:
    root = tmp_path / "fresh"
    main(["new", str(root)])
    capsys.readouterr()
    code, out, err = deploy(capsys, root, endpoint, f"s3://{bucket}")
    assert code == 1 and "not a built site" in err and "mmsite build" in err
    (root / "public").mkdir()
    (root / "public/.mmsite-output").write_text("built by mmsite; safe to delete\n")
    code, out, err = deploy(capsys, root, endpoint, f"s3://{bucket}")
    assert code == 1 and "no files to deploy" in err


def test_wrong_endpoint_is_one_clear_error(capsys, site: Path, aws_env: None) -> None:
    closed = f"http://127.0.0.1:{free_port()}"
    code, out, err = deploy(capsys, site, closed, "s3://some-bucket")
    assert code == 1
    assert err.splitlines()[0] == f"error: cannot reach the S3 endpoint {closed}"
    assert "Traceback" not in err and len(err.splitlines()) == 2  # the error and its hint


def test_an_endpoint_that_is_not_a_url_is_one_clear_error(capsys, site: Path, aws_env) -> None:
    code, out, err = deploy(capsys, site, "127.0.0.1:9000", "s3://some-bucket")
    assert code == 1 and "--endpoint-url '127.0.0.1:9000' is not a URL" in err
    assert "Traceback" not in err


def test_missing_credentials_is_one_clear_error(
    capsys, site: Path, endpoint: str, bucket: str, monkeypatch
) -> None:
    for name in CREDENTIALS:
        monkeypatch.delenv(name)
    code, out, err = deploy(capsys, site, endpoint, f"s3://{bucket}")
    assert code == 1
    assert err.splitlines()[0] == "error: no S3 credentials found"
    assert "AWS_ACCESS_KEY_ID" in err and "Traceback" not in err


def test_a_bad_address_is_a_clear_error(capsys, site: Path, endpoint: str) -> None:
    code, out, err = deploy(capsys, site, endpoint, "https://bucket/x")
    assert code == 1 and "not an S3 address" in err and "s3://BUCKET" in err


def test_objects_with_other_etags_are_compared_by_their_metadata(
    capsys, site: Path, endpoint: str, s3, bucket: str
) -> None:
    """Stores whose ETag is not the MD5 (multipart uploads, SSE-KMS): the mmsite-md5
    metadata decides; without it the file goes up again."""
    assert deploy(capsys, site, endpoint, f"s3://{bucket}")[0] == 0
    local = served_files(site)
    for key, metadata in (
        ("index.html", {"mmsite-md5": local["index.html"]}),
        ("fr/index.html", {}),
    ):
        upload = s3.create_multipart_upload(Bucket=bucket, Key=key, Metadata=metadata)
        body = (site / "public" / key).read_bytes()
        part = s3.upload_part(
            Bucket=bucket, Key=key, UploadId=upload["UploadId"], PartNumber=1, Body=body
        )
        s3.complete_multipart_upload(
            Bucket=bucket,
            Key=key,
            UploadId=upload["UploadId"],
            MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": part["ETag"]}]},
        )
        assert objects(s3, bucket)[key].endswith("-1")  # not an MD5
    code, out, err = deploy(capsys, site, endpoint, f"s3://{bucket}")
    assert code == 0, err
    assert uploaded(out) == {"fr/index.html"}


def test_progress_bar_on_a_terminal(
    capsys, site: Path, endpoint: str, bucket: str, monkeypatch
) -> None:
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True)
    code, out, err = deploy(capsys, site, endpoint, f"s3://{bucket}")
    assert code == 0, err
    count = len(served_files(site))
    assert f"] {count}/{count} files" in out and "\r[" in out
    assert uploaded(out) == set()  # no line per file on a terminal
    assert f"uploaded {count} (" in out.splitlines()[-1]


def test_a_missing_bucket_is_one_clear_error(capsys, site: Path, endpoint: str, s3) -> None:
    code, out, err = deploy(capsys, site, endpoint, "s3://no-such-bucket-here")
    assert code == 1
    assert err.splitlines()[0].startswith("error: no-such-bucket-here: NoSuchBucket")
    assert "Traceback" not in err
