"""Static files as ``stepdown serve`` collects them: WhiteNoise's hashed and compressed files,
with the manifest (``staticfiles.json``) replaced in one step.

Django's manifest storage deletes the old manifest before writing the new one. Another app
process on the same data directory that is serving meanwhile (several ``stepdown serve``
processes, one restarting) could read the manifest in between, find it missing, and answer every
page with an error until it restarts. Writing a temporary file and renaming it over the old one
means a reader sees the old manifest or the new one, never none. The hashed files themselves
have content-derived names, so rewriting them changes nothing a reader sees.
"""

from __future__ import annotations

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
