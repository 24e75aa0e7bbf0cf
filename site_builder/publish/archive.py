"""archive.org publishing: one item per run, uploaded with the `internetarchive`
client (S3-style PUTs, one per file; the item's metadata goes with the first).

The client retries only 503s, and only when asked, and stops at the first 403, 400
or dropped connection, so the retrying and resuming is ours: each file is skipped
when archive.org (or our own record, since new items reach the metadata API late)
already has it with the same MD5, and retried with backoff on 503 and dropped
connections. Keys come from `ia configure`, IA_CONFIG_FILE or IA_ACCESS_KEY_ID /
IA_SECRET_ACCESS_KEY and are never written anywhere.
"""

from __future__ import annotations

import logging
import os
import re
import time
from pathlib import Path
from urllib.parse import urlsplit

import requests

from site_builder.logs import stage_log
from site_builder.errors import ConfigError, PublishError
from site_builder.schema import ARCHIVE, DEFAULT_TAGS, default_title
from site_builder.runs import Run, file_hash, read_json, write_json

log = stage_log("publish")

IDENTIFIER = re.compile(r"^[a-zA-Z0-9][a-zA-Z0-9_.-]{4,100}$")
DEFAULTS = ARCHIVE.defaults()
SANDBOX_COLLECTION = "test_collection"


def options(site: dict) -> dict:
    """_config.yml `archive:` (checked when the config was loaded) over the defaults."""
    return {**DEFAULTS, **(site.get("archive") or {})}


def identifier(run: Run, archive: dict) -> str:
    prefix = archive["identifier_prefix"]
    if not prefix:
        raise ConfigError("_config.yml: archive: identifier_prefix is not set; choose your own, e.g. "
                          "identifier_prefix: ancestral-sampling-by-yourname (items are "
                          "<prefix>-<run>; the example post's belong to its author)")
    name = f"{prefix}-{run.id}"
    if not IDENTIFIER.match(name):
        raise ConfigError(f"archive identifier {name!r} is not one archive.org accepts (letters, "
                          f"digits, '_', '.', '-'; 5 to 101 characters, starting with a letter or "
                          f"digit): change archive.identifier_prefix in _config.yml")
    return name


def item_metadata(run: Run, settings: dict, site: dict, archive: dict, sandbox: bool,
                  post_link: str | None = None) -> dict:
    """`post_link`: the run's post's absolute URL (the caller asks the site), or None."""
    from site_builder.audio import display_name

    tags = (site.get("post") or {}).get("tags") or list(DEFAULT_TAGS)
    metadata = {
        "mediatype": "audio",
        "collection": SANDBOX_COLLECTION if sandbox else archive["collection"],
        "title": f"{default_title([display_name(settings['artist'])])} (Jukebox {settings['model']})",
        "creator": site.get("author") or "site-builder",
        "subject": list(dict.fromkeys([*tags, *settings["genres"], "Jukebox " + settings["model"]])),
        "description": (f"{settings['n_samples']} {'sample' if settings['n_samples'] == 1 else 'samples'} "
                        f"of {settings['sample_length_in_seconds']:g} s "
                        f"from OpenAI Jukebox {settings['model']}, conditioned on "
                        f"{display_name(settings['artist'])}."
                        + (f" Written up at <a href=\"{post_link}\">{post_link}</a>." if post_link else "")),
    }
    if archive["licenseurl"]:
        metadata["licenseurl"] = archive["licenseurl"]
    return metadata


def files_to_send(run: Run, mp3s: list[Path], archive: dict) -> list[Path]:
    files = list(mp3s)
    if archive["include_wavs"]:
        files += [run.wav_path(k) for k in range(len(mp3s))]
    if archive["include_codes"]:
        files += sorted(run.codes_dir.glob("batch-*.pt"))
    return files


def md5(path: Path) -> str:
    """archive.org lists each file's MD5: the checksum re-publishing compares."""
    return file_hash(path, "md5")


class Redirect(requests.adapters.HTTPAdapter):
    """Sends what the client addresses to archive.org's hosts to `endpoint` instead,
    with the original host as the first path segment (a stand-in server for tests)."""

    def __init__(self, endpoint: str):
        super().__init__()
        self.endpoint = endpoint.rstrip("/")

    def send(self, request, **kwargs):
        parts = urlsplit(request.url)
        request.url = f"{self.endpoint}/{parts.netloc}{parts.path}" + (f"?{parts.query}" if parts.query else "")
        return super().send(request, **kwargs)


def session(archive: dict):
    import internetarchive

    # The client logs its own "error uploading ..." lines before raising; ours say
    # what happened and what to do, once.
    logging.getLogger("internetarchive").setLevel(logging.CRITICAL)

    try:
        ia = internetarchive.get_session()
    except ValueError as exc:  # the client's for half-set variables: names, no values
        raise PublishError(f"archive.org keys: {exc}") from None
    except Exception as exc:
        # A broken ia.ini: configparser's message quotes the bad line, which may be the
        # secret key's, so only where it is goes out.
        source = getattr(exc, "source", None) or os.environ.get("IA_CONFIG_FILE") or "ia.ini"
        lines = sorted({n for n, _ in getattr(exc, "errors", [])} | (
            {exc.lineno} if getattr(exc, "lineno", None) else set()))
        where = f"{source}" + (f" line {', '.join(map(str, lines))}" if lines else "")
        raise PublishError(f"archive.org keys: {where} cannot be read ({type(exc).__name__}); "
                           f"run `ia configure` to write it again") from None
    if not (ia.access_key and ia.secret_key):
        raise PublishError("no archive.org keys: run `ia configure` (or point IA_CONFIG_FILE at an "
                           "ia.ini), or set IA_ACCESS_KEY_ID and IA_SECRET_ACCESS_KEY")
    if archive["endpoint"]:
        # Replace every adapter the client mounted (it mounts its own per host, and the
        # longest prefix wins), so no request can go anywhere but the endpoint.
        for prefix in [*ia.adapters, "https://archive.org", "https://s3.us.archive.org"]:
            ia.mount(prefix, Redirect(archive["endpoint"]))
    return ia


def publish(run: Run, settings: dict, site: dict, mp3s: list[Path], *, dry_run: bool = False,
            sandbox: bool = False, post_link: str | None = None) -> dict:
    archive = options(site)
    name = identifier(run, archive)
    metadata = item_metadata(run, settings, site, archive, sandbox, post_link)
    files = files_to_send(run, mp3s, archive)
    if dry_run:
        log.info("%s: would publish item %s with %d file(s): %s", run.id, name, len(files),
                 ", ".join(p.name for p in files))
        for key, value in metadata.items():
            log.info("  %s: %s", key, value)
        return {}
    ia = session(archive)
    item = fetch_item(ia, name)
    record = read_json(run.publish_path, {}) or {}
    sent = {f["file"]: f["md5"] for f in record.get("files", [])} if record.get("identifier") == name else {}
    there = {f.get("name"): f.get("md5") for f in item.files} | sent
    uploaded = 0
    for path in files:
        checksum = md5(path)
        if there.get(path.name) == checksum:
            continue
        upload(item, path, metadata, archive, ia)
        sent[path.name] = checksum
        save(run, name, mp3s, sent)   # resume from here if the next file fails
        uploaded += 1
    update_metadata(item, metadata, uploaded_now=uploaded and not item.exists)
    log.info("%s: %s https://archive.org/details/%s (%d file(s) sent, %d already there)", run.id,
             "published" if uploaded else "up to date at", name, uploaded, len(files) - uploaded)
    return save(run, name, mp3s, {**{p.name: md5(p) for p in files}})


def fetch_item(ia, name: str):
    try:
        return ia.get_item(name)
    except requests.RequestException as exc:
        raise PublishError(f"archive.org metadata for {name} could not be read ({exc}); try again "
                           f"later") from None


def upload(item, path: Path, metadata: dict, archive: dict, ia) -> None:
    """One file, with backoff on 503 and dropped connections; clear errors otherwise."""
    for attempt in range(archive["retries"] + 1):
        try:
            item.upload_file(str(path), key=path.name, metadata=metadata, retries=0,
                             headers={"x-archive-keep-old-version": "0"},
                             access_key=ia.access_key, secret_key=ia.secret_key, checksum=False)
            log.info("  sent %s", path.name)
            return
        except requests.HTTPError as exc:
            status = exc.response.status_code if exc.response is not None else 0
            if status != 503 or attempt == archive["retries"]:
                raise http_error(item.identifier, path, status) from None
            reason = "archive.org asked to slow down (503)"
        except (requests.ConnectionError, requests.Timeout, ConnectionResetError) as exc:
            if attempt == archive["retries"]:
                raise PublishError(f"uploading {path.name} to {item.identifier} failed: connection "
                                   f"lost {attempt + 1} times ({type(exc).__name__}); files sent "
                                   f"so far are recorded: run `make publish` again to resume") from None
            reason = "connection dropped"
        wait = archive["retry_seconds"] * 2 ** attempt
        log.info("  %s: %s; retrying in %.0f s (%d of %d)", path.name, reason, wait, attempt + 1,
                 archive["retries"])
        time.sleep(wait)


def http_error(name: str, path: Path, status: int) -> PublishError:
    if status == 403:
        return PublishError(f"archive.org refused {path.name} for item {name} (403): either the "
                            f"identifier belongs to another account (change archive.identifier_prefix "
                            f"in _config.yml) or the keys are wrong (`ia configure`, or "
                            f"IA_ACCESS_KEY_ID / IA_SECRET_ACCESS_KEY)")
    if status == 503:
        return PublishError(f"archive.org is overloaded (503) and kept refusing {path.name}; files "
                            f"sent so far are recorded: run `make publish` again later to resume")
    return PublishError(f"archive.org answered {status} for {path.name} in item {name}; run "
                        f"`make publish` again to resume")


def update_metadata(item, metadata: dict, *, uploaded_now: bool) -> None:
    """Metadata sent with a new item's first file applies only then: later changes go
    through the metadata API."""
    if uploaded_now or not item.exists:
        return
    current = item.metadata or {}
    changed = {k: v for k, v in metadata.items() if k != "collection" and current.get(k) != v}
    if changed:
        response = item.modify_metadata(changed)
        if getattr(response, "status_code", 200) >= 400:
            raise PublishError(f"updating {item.identifier}'s metadata failed "
                               f"({response.status_code}): {response.text[:200]}")
        log.info("  updated metadata: %s", ", ".join(sorted(changed)))


def save(run: Run, name: str, mp3s: list[Path], sent: dict[str, str]) -> dict:
    record = {
        "publisher": "archive", "identifier": name,
        "details": f"https://archive.org/details/{name}",
        "embed": f"https://archive.org/embed/{name}&playlist=1",
        "files": [{"file": f, "md5": m} for f, m in sorted(sent.items())],
        "items": [{"item": k, "file": p.name, "md5": sent.get(p.name),
                   "url": f"https://archive.org/download/{name}/{p.name}",
                   "embed": f"https://archive.org/embed/{name}/{p.name}"}
                  for k, p in enumerate(mp3s) if p.name in sent],
    }
    write_json(run.publish_path, record)
    return record
