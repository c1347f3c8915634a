"""Dockerfiles: a model on top of BuildKit's parser (the `dockerfile` package)."""

from pinbox.dockerfile.model import Dockerfile, Instruction, Stage
from pinbox.dockerfile.parse import load_dockerfile, parse_dockerfile

__all__ = ["Dockerfile", "Instruction", "Stage", "load_dockerfile", "parse_dockerfile"]
