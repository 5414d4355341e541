"""The explicit list of built-in detectors, and loading of plug-in detectors by import path.

Built-ins are named by import path so that importing the registry imports no detector.
Detector modules keep their module-level imports light (spaCy and friends are imported
in `__init__`), because the gateway's main process imports the classes to validate their
settings while only the scan workers build them.
"""

from __future__ import annotations

import importlib

from detectors.base import Detector

BUILTIN: dict[str, str] = {
    "chain_letter": "detectors.chain_letter:ChainLetterDetector",
    "personal_address": "detectors.personal_address:PersonalAddressDetector",
    "pupil_name": "detectors.pupil_name:PupilNameDetector",
    "sensitive_data": "detectors.sensitive_data:SensitiveDataDetector",
}


class DetectorLoadError(Exception):
    """A detector named in the configuration cannot be loaded."""


def load_class(spec: str) -> type[Detector]:
    """Import "package.module:ClassName" and check it is a Detector subclass."""
    module_name, sep, class_name = spec.partition(":")
    if not sep or not module_name or not class_name:
        raise DetectorLoadError(f"{spec!r} is not of the form 'package.module:ClassName'")
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        raise DetectorLoadError(f"cannot import {module_name!r} for {spec!r}: {exc}") from exc
    cls = getattr(module, class_name, None)
    if not (isinstance(cls, type) and issubclass(cls, Detector)):
        raise DetectorLoadError(f"{spec!r} is not a detectors.base.Detector subclass")
    return cls


def resolve(name_or_spec: str) -> type[Detector]:
    """A built-in detector by name, or a plug-in by import path."""
    return load_class(BUILTIN.get(name_or_spec, name_or_spec))
