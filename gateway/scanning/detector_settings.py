"""Detector settings as the gateway hands them to the scan workers: the config's
`[detectors.<name>]` tables, plus the defaults that depend on the gateway's data folder
(a free-mail list written there by `schoolgate freemail update`)."""

from __future__ import annotations

from pathlib import Path

from detectors.base import DetectorSettings
from detectors.freemail import LIST_FILE
from detectors.personal_address import PersonalAddressSettings
from gateway.config.settings import Config


def updated_freemail_list(config: Config) -> Path:
    """Where `freemail update` writes by default."""
    return config.data_dir / "freemail" / LIST_FILE


def freemail_list_in_use(config: Config) -> Path | None:
    """The configured `freemail_file`, else an updated list in the data folder when there
    is one, else None (the list shipped with the package)."""
    settings = resolved_settings(config).get("personal_address")
    if isinstance(settings, PersonalAddressSettings):
        return settings.freemail_file
    return None


def resolved_settings(config: Config) -> dict[str, DetectorSettings]:
    settings = config.detector_settings()
    personal = settings.get("personal_address")
    if isinstance(personal, PersonalAddressSettings) and personal.freemail_file is None:
        updated = updated_freemail_list(config)
        if updated.exists():
            settings["personal_address"] = personal.model_copy(update={"freemail_file": updated})
    return settings
