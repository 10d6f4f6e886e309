"""Static files as ``stepdown serve`` collects them: WhiteNoise's hashed and compressed files,
with the manifest (``staticfiles.json``) replaced in one step.

Django's manifest storage deletes the old manifest before writing the new one. Another app
process on the same data directory that is serving meanwhile (several ``stepdown serve``
processes, one restarting) could read the manifest in between, find it missing, and answer every
page with an error until it restarts. Writing a temporary file and renaming it over the old one
means a reader sees the old manifest or the new one, never none. Post-processed files are
deleted and written again while collecting, so ``stepdown serve`` collects only when the
sources changed (:func:`collect_if_changed`, below).
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path

from django.core.files.base import ContentFile
from whitenoise.storage import CompressedManifestStaticFilesStorage


class StaticFilesStorage(CompressedManifestStaticFilesStorage):
    def save_manifest(self) -> None:
        self.manifest_hash = self.file_hash(
            None, ContentFile(json.dumps(sorted(self.hashed_files.items())).encode())
        )
        payload = {
            "paths": self.hashed_files,
            "version": self.manifest_version,
            "hash": self.manifest_hash,
        }
        target = Path(self.manifest_storage.path(self.manifest_name))
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, temporary = tempfile.mkstemp(dir=target.parent, prefix=".staticfiles-")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(json.dumps(payload).encode())
            os.chmod(temporary, 0o644)
            os.replace(temporary, target)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise


# --- Collecting only when something changed -----------------------------------------------------
#
# Django's manifest storage also deletes and rewrites post-processed files (CSS and JavaScript
# whose references it rewrites). A second app process starting beside a running one would do
# that under the first one's WhiteNoise, whose workers list the directory as they boot and fail
# on a file that vanished in between. So ``stepdown serve`` collects only when the sources
# differ from what was collected last (a fingerprint kept next to the manifest); the usual case,
# several processes of the same release, collects once.

FINGERPRINT_NAME = ".stepdown-sources"
_IGNORED = ["CVS", ".*", "*~"]  # collectstatic's default ignore patterns


def sources_fingerprint() -> str:
    """A digest of every static source file (path, size, modification time) the finders see, with
    the storage and STATIC_URL: it changes whenever collecting would change anything."""
    from django.conf import settings
    from django.contrib.staticfiles.finders import get_finders

    entries = []
    for finder in get_finders():
        for path, storage in finder.list(_IGNORED):
            prefix = getattr(storage, "prefix", None) or ""
            stat = os.stat(storage.path(path))
            entries.append(f"{prefix}/{path}\0{stat.st_size}\0{stat.st_mtime_ns}")
    digest = hashlib.sha256()
    backend = settings.STORAGES["staticfiles"]["BACKEND"]
    digest.update(f"{backend}\0{settings.STATIC_URL}\n".encode())
    for entry in sorted(entries):
        digest.update(entry.encode() + b"\n")
    return digest.hexdigest()


def collect_if_changed() -> bool:
    """Run ``collectstatic`` unless the collected files (and their manifest) already match the
    sources; True if it collected. The caller holds the ``serve-setup`` lock."""
    from django.conf import settings
    from django.core.management import call_command

    root = Path(settings.STATIC_ROOT)
    stamp = root / FINGERPRINT_NAME
    current = sources_fingerprint()
    manifest = root / "staticfiles.json"
    if manifest.exists() and stamp.exists() and stamp.read_text().strip() == current:
        return False
    call_command("collectstatic", interactive=False, verbosity=0)
    fd, temporary = tempfile.mkstemp(dir=root, prefix=".stepdown-sources-")
    with os.fdopen(fd, "w") as handle:
        handle.write(current + "\n")
    os.chmod(temporary, 0o644)
    os.replace(temporary, stamp)
    return True
