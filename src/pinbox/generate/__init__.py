"""`pinbox init`: what goes into a generated Dockerfile, .dockerignore and compose.yaml."""
