"""pinbox: reproducible Python dependencies for ML projects, from laptop to CI to Docker image."""

__version__ = "0.2.0"
