"""Requirements files: parse (via packaging), follow includes, write, repair freezes."""

from pinbox.requirements.model import Entry, RequirementsFile
from pinbox.requirements.parser import load_requirements, parse_requirements

__all__ = ["Entry", "RequirementsFile", "load_requirements", "parse_requirements"]
