"""Infrastructure: the worker, caches, observability, security, model files and migrations."""
