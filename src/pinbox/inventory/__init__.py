"""Reading what is installed, or will be: the console scripts each locked wheel provides
(`entry_points`), what PyPI says of a project's files (`pypi`), and pinbox's cache of facts that
never change (`cache`). Nothing is imported here: `pinbox build` reads the cache without loading
the HTTP client."""
