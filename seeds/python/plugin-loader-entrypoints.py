"""Plugin discovery for the reporting tool.

Plugins are installed as ordinary distributions that declare an entry point
in the ``reportkit.exporters`` group; they are loaded with importlib and
validated against the Exporter protocol before use.
"""
import importlib
import logging
from importlib.metadata import entry_points
from typing import Protocol, runtime_checkable

log = logging.getLogger(__name__)
GROUP = "reportkit.exporters"


@runtime_checkable
class Exporter(Protocol):
    name: str

    def export(self, report: dict, destination: str) -> None: ...


def discover(allow=None):
    found = {}
    for ep in entry_points(group=GROUP):
        if allow is not None and ep.name not in allow:
            log.info("plugin %s not in allow list, skipped", ep.name)
            continue
        try:
            obj = ep.load()
        except Exception:  # a broken plugin must not break the tool
            log.exception("failed to load plugin %s", ep.name)
            continue
        inst = obj() if isinstance(obj, type) else obj
        if not isinstance(inst, Exporter):
            log.warning("plugin %s does not implement Exporter", ep.name)
            continue
        found[ep.name] = inst
    return found


def load_builtin(name):
    """Built-in exporters live in reportkit.exporters.<name>."""
    module = importlib.import_module(f"reportkit.exporters.{name}")
    return module.EXPORTER
